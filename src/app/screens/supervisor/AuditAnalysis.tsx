import { useSignal } from '@preact/signals';
import { transfer } from 'comlink';
import { useEffect } from 'preact/hooks';
import type { Completion } from '../../../domain/plan-schedule.js';
import type { AuditTrackResponse, NativeTrackResponse } from '../../../domain/protocol/track-audit.js';
import {
  onFootIn,
  packedBuffers,
  packPoints,
  STOP_MIN_MS,
  withPointIds,
  type FlagEvidence,
  type PlausibilityFlag,
  type RouteAnalysis,
  type Stop,
} from '../../../domain/route-analysis.js';
import { DEFAULT_EQUIPMENT } from '../../../domain/equipment.js';
import type { CoverageResponse } from '../../../domain/protocol/coverage.js';
import { api } from '../../../store/api.js';
import { currentUser } from '../../state/session.js';
import { formatDuration, formatTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { squadMembers, zones } from '../../state/local-copies.js';
import { reportError } from '../../state/notices.js';
import { worker } from '../../worker-bridge.js';
import { completionText } from '../completion-text.js';
import type { AuditSubject } from './ShiftPicker.js';

// The route audit's analysis pieces (RouteAudit.tsx shows them): the analysis run in the worker,
// the shift in figures, the plausibility flags in plain words, and the timeline strip.

/** Evidence lines shown per flag before "and n more". */
const EVIDENCE_SHOWN = 5;

/**
 * The route analysis of the loaded shift or range (stops, summary figures, plausibility flags),
 * run in the worker: a 12-hour shift's 8,640 points would be a long task here. The points go as
 * transferred columns. The zones and the mode of travel are those the shift was started with
 * (its shift.start, in the audit; for a range, every start in it); the officer's squad's zones
 * when the window holds no start. Waits for the native fixes (null until they have arrived).
 */
export function useRouteAnalysis(shift: AuditSubject, track: AuditTrackResponse, native: NativeTrackResponse | null) {
  const analysis = useSignal<RouteAnalysis | 'failed' | null>(null);
  const squadId = squadMembers.value.find((m) => m.id === shift.officerId)?.squadId ?? null;
  const started = track.shiftStarts.filter((s) => shift.shiftId === null || s.shiftId === shift.shiftId);
  const chosenIds = new Set(started.flatMap((s) => s.zoneIds));
  const chosen = zones.value.filter((z) => chosenIds.has(z.id)).map((z) => z.polygon);
  const squadZones = squadId === null ? [] : zones.value.filter((z) => z.squadId === squadId).map((z) => z.polygon);
  const assigned = chosen.length ? chosen : squadZones.length ? squadZones : null;
  useEffect(() => {
    if (!native) return;
    let current = true;
    analysis.value = null;
    const packed = packPoints(track.points);
    worker()
      .analyseRoute(
        transfer(
          {
            points: packed,
            tracking: track.tracking.map(({ at, state }) => ({ at, state })),
            zones: assigned,
            // The mode registered, as the server's verdict reads it (windowVerdict); unknown: the vehicle limit, the looser one.
            onFoot: onFootIn(track.shiftStarts, shift.shiftId),
            native: native.points.map(({ fixAt }) => ({ fixAt })),
          },
          packedBuffers(packed),
        ),
      )
      .then(
        (result) => current && (analysis.value = withPointIds(result, track.points)),
        (error: unknown) => {
          if (!current) return;
          analysis.value = 'failed';
          reportError(error);
        },
      );
    return () => {
      current = false;
    };
    // A list of zones keeps its identity while its content is unchanged (local-copies.ts).
  }, [track, native, zones.value, squadId]);
  return analysis;
}

/** Each pause (until tracking came back on, or the end) and each stop as a stretch of the timeline. */
export function timelineMarks(stops: readonly Stop[], tracking: AuditTrackResponse['tracking'], end: number): TimelineMark[] {
  const ons = tracking.filter((m) => m.state === 'on').map((m) => m.at);
  const pauses = tracking
    .filter((m) => m.state === 'paused')
    .map((m): TimelineMark => {
      const to = ons.filter((on) => on > m.at).sort()[0] ?? new Date(end).toISOString();
      return {
        kind: 'pause',
        from: m.at,
        to,
        label: `${formatTime(m.at)}–${formatTime(to)} ${t('audit.pauseMark', { reason: t(`reason.${m.reason}` as MessageKey) })}`,
      };
    });
  return [
    ...pauses,
    ...stops.map((s): TimelineMark => ({
      kind: 'stop',
      from: s.from,
      to: s.to,
      label: `${formatTime(s.from)}–${formatTime(s.to)} ${t('audit.stopMark', { duration: formatDuration(stopMinutes(s)) })}`,
    })),
  ];
}

export const stopMinutes = (stop: Stop) => (Date.parse(stop.to) - Date.parse(stop.from)) / 60_000;
const minutesOf = (ms: number) => formatDuration(Math.round(ms / 60_000));

/** The shift in figures beyond the summary line's distance: moving and standing, outside the zones, stops, the plan's visits. */
export function ShiftFacts({
  shift,
  analysis,
  track,
  completion,
}: {
  shift: AuditSubject;
  analysis: RouteAnalysis;
  track: AuditTrackResponse;
  /** Undefined while it loads; null for a time range, whose plans are owed per shift. */
  completion: Completion | null | undefined;
}) {
  // Equipment is out and back per shift: a range says it of the shift it holds only when it holds one.
  const own = shift.shiftId ?? (track.shiftStarts.length === 1 ? track.shiftStarts[0]!.shiftId : null);
  const out = track.shiftStarts.find((s) => s.shiftId === own)?.equipment ?? null;
  const back = track.shiftEnds.find((s) => s.shiftId === own) ?? null;
  return (
    <dl
      class="audit-facts stats"
      data-testid="audit-facts"
      data-stops={analysis.stops.length}
      data-moving-s={Math.round(analysis.movingMs / 1000)}
      data-standing-s={Math.round(analysis.standingMs / 1000)}
      data-outside-s={analysis.outsideZonesMs === null ? '' : Math.round(analysis.outsideZonesMs / 1000)}
    >
      <dt>{t('audit.fact.moving')}</dt>
      <dd>{minutesOf(analysis.movingMs)}</dd>
      <dt>{t('audit.fact.standing')}</dt>
      <dd>{minutesOf(analysis.standingMs)}</dd>
      <dt>{t('audit.fact.outside')}</dt>
      <dd>{analysis.outsideZonesMs === null ? t('audit.fact.outsideUnknown') : minutesOf(analysis.outsideZonesMs)}</dd>
      <dt>{t('audit.fact.stops')}</dt>
      <dd>{t('audit.fact.stopsN', { n: analysis.stops.length, min: STOP_MIN_MS / 60_000 })}</dd>
      <dt>{t('audit.fact.checkpoints')}</dt>
      <dd data-testid="audit-completion">
        {completion === undefined ? t('app.loading') : completion === null ? t('audit.fact.checkpointsRange') : completionText(completion)}
      </dd>
      <AssignedCoverage shift={shift} zoneIds={track.shiftStarts.find((s) => s.shiftId === own)?.zoneIds ?? []} />
      <dt>{t('audit.fact.equipment')}</dt>
      <dd data-testid="audit-equipment" data-out={out?.length ?? ''} data-back={back?.returned.length ?? ''} data-missing={back?.missing.length ?? ''}>
        {out === null
          ? t('audit.fact.equipmentUnknown')
          : back === null
            ? t('audit.fact.equipmentOut', { n: out.length })
            : t('audit.fact.equipmentBack', { n: out.length, back: back.returned.length, missing: back.missing.length })}
        {back?.missing.map((m) => (
          <div key={`${m.item}${m.serial ?? ''}`} class="form-error">
            {equipmentName(m.item)}
            {m.serial ? `（${m.serial}）` : ''}
            {m.reason ? `：${m.reason}` : ''}
          </div>
        ))}
      </dd>
    </dl>
  );
}

/**
 * How much of each zone the shift was started with this officer passed during it (the coverage
 * work's cells, in its ten-minute buckets): for leaders and supervisors, who may read coverage.
 */
function AssignedCoverage({ shift, zoneIds }: { shift: AuditSubject; zoneIds: readonly string[] }) {
  const shares = useSignal<Array<{ zoneId: string; ratio: number | null }> | null>(null);
  const mayRead = currentUser.value !== null && currentUser.value.role !== 'officer';
  useEffect(() => {
    if (!mayRead || zoneIds.length === 0) return;
    const controller = new AbortController();
    const window = `from=${shift.startedAt}&to=${shift.endedAt ?? new Date().toISOString()}`;
    void Promise.all(
      zoneIds.map((zoneId) =>
        api<CoverageResponse>(`/api/coverage?zoneId=${zoneId}&${window}`, { signal: controller.signal }).then(
          (c) => ({ zoneId, ratio: c.officers.find((o) => o.officerId === shift.officerId)?.ratio ?? 0 }),
          // Said on the line as unavailable: the rest of the audit does not depend on it.
          () => ({ zoneId, ratio: null }),
        ),
      ),
    ).then((result) => !controller.signal.aborted && (shares.value = result));
    return () => controller.abort();
  }, [shift.shiftId, zoneIds.join(), mayRead]);
  if (!mayRead || zoneIds.length === 0) return null;
  const name = (id: string) => zones.value.find((z) => z.id === id)?.name[locale.value] ?? id;
  return (
    <>
      <dt>{t('audit.fact.coverage')}</dt>
      <dd data-testid="audit-coverage">
        {shares.value === null
          ? t('app.loading')
          : shares.value
              .map((s) => `${name(s.zoneId)} ${s.ratio === null ? t('audit.fact.coverageUnavailable') : `${Math.round(s.ratio * 100)}%`}`)
              .join(locale.value === 'en' ? '; ' : '；')}
      </dd>
    </>
  );
}

const equipmentName = (item: string) => DEFAULT_EQUIPMENT.find((k) => k.item === item)?.name[locale.value] ?? item;

/** The plausibility flags in plain words, each finding a tap that takes the replay there. */
export function Flags({ flags, onSeek }: { flags: readonly PlausibilityFlag[]; onSeek: (iso: string) => void }) {
  return (
    <section class="stack audit-flags" data-testid="audit-flags" aria-label={t('audit.flags')}>
      <h3>{t('audit.flags')}</h3>
      {flags.length === 0 && <p class="muted">{t('audit.flagsNone')}</p>}
      {flags.map((flag) => (
        <div key={flag.kind} class="audit-flag" data-flag={flag.kind}>
          <strong class={flag.kind === 'native' ? '' : 'form-error'}>{t(`audit.flag.${flag.kind}`)}</strong>
          <p class="muted">{t(`audit.flagWhy.${flag.kind}`)}</p>
          <ul class="task-list">
            {flag.evidence.slice(0, EVIDENCE_SHOWN).map((e) => (
              <li key={`${e.reason}${e.from}${e.pointIds.join()}`} class="task" data-reason={e.reason} data-points={e.pointIds.join(' ')}>
                <button type="button" class="audit-pick" onClick={() => onSeek(e.from)}>
                  {formatTime(e.from)}
                  {e.to !== e.from && formatTime(e.to) !== formatTime(e.from) && `–${formatTime(e.to)}`} · {evidenceText(e)}
                </button>
              </li>
            ))}
          </ul>
          {flag.evidence.length > EVIDENCE_SHOWN && <p class="muted">{t('audit.evidenceMore', { n: flag.evidence.length - EVIDENCE_SHOWN })}</p>}
        </div>
      ))}
    </section>
  );
}

function evidenceText(e: FlagEvidence): string {
  // A step between two fixes of the same time has no speed to quote: its distance says it.
  if (e.reason === 'speed' && (e.params.kmh ?? 0) < 0) return t('audit.why.speedInstant', e.params);
  return t(`audit.why.${e.reason}`, e.params);
}

/** A stretch of the shift on the timeline strip. */
interface TimelineMark {
  kind: 'stop' | 'pause';
  from: string;
  to: string;
  label: string;
}

/** The shift's stops and pauses on a strip above the scrubber, where and how long they fall in its time; a tap takes the replay there. */
export function Timeline({
  start,
  end,
  marks,
  at,
  onSeek,
}: {
  start: number;
  end: number;
  marks: readonly TimelineMark[];
  at: number;
  onSeek: (iso: string) => void;
}) {
  const span = Math.max(1, end - start);
  const x = (t: number) => Math.min(100, Math.max(0, ((t - start) / span) * 100));
  return (
    <div class="audit-timeline" role="group" aria-label={t('audit.timeline')} data-testid="audit-timeline">
      {marks.map((m) => (
        <button
          key={`${m.kind}${m.from}`}
          type="button"
          class={`audit-tl-${m.kind}`}
          data-mark={m.kind}
          style={{ left: `${x(Date.parse(m.from))}%`, width: `${x(Date.parse(m.to)) - x(Date.parse(m.from))}%` }}
          title={m.label}
          aria-label={m.label}
          onClick={() => onSeek(m.from)}
        />
      ))}
      <span class="audit-tl-now" style={{ left: `${x(at)}%` }} />
    </div>
  );
}
