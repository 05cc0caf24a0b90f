import { useSignal } from '@preact/signals';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { CheckinsResponse, ComplianceResponse, ShiftCompliance } from '../../../domain/protocol/compliance.js';
import type { AuditTrackResponse, NativeTrackResponse } from '../../../domain/protocol/track-audit.js';
import { shiftVerdict } from '../../../domain/route-analysis.js';
import { auditVerdict, replayAt, routeGpx, routeSegments, segmentsDistanceM, type AuditVerdict, type Segment } from '../../../domain/route-replay.js';
import type { TasksResponse, TaskUpdateView } from '../../../domain/tasks.js';
import type { TrackEntry } from '../../../store/schema.js';
import { api } from '../../../store/api.js';
import { formatDuration, formatTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { LazyAuditMap } from '../../map/LazyMap.js';
import { checkpoints } from '../../state/local-copies.js';
import { reportError } from '../../state/notices.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { downloadText } from '../../download.js';
import { printPart } from '../../print.js';
import { routeCsv, routeGeoJson } from '../../../domain/route-export.js';
import { evidenceText } from './evidence-text.js';
import { PrintReport } from './PrintReport.js';
import type { IncidentSummary, IncidentsResponse } from '../../../domain/protocol/incidents.js';
import { categoryName, INCIDENT_STATE_KEYS } from '../incident-text.js';
import { arrivalText, STATE_KEYS } from '../task-text.js';
import { Flags, ShiftFacts, stopMinutes, Timeline, timelineMarks, useRouteAnalysis } from './AuditAnalysis.js';

/** How far back the shift list reaches. */
const LIST_DAYS = 7;
const SPEEDS = [1, 4, 16, 64] as const;
/** The replay clock's step: at 1× one real second moves the replay one second. */
const TICK_MS = 250;

const VERDICT_KEYS: Record<AuditVerdict, MessageKey> = {
  intact: 'audit.verdict.intact',
  'gaps-explained': 'audit.verdict.gaps-explained',
  altered: 'audit.verdict.altered',
  suspicious: 'audit.verdict.suspicious',
};

/**
 * The supervisor's (and leader's) route audit: pick a shift of the last week, replay its signed
 * route on a map with a scrubber, see the verdict on the chains behind it, the analysis and the
 * marks, and export or print it. An officer sees their own (`embedded` in their home's panel).
 */
export function RouteAudit({ embedded = false }: { embedded?: boolean } = {}) {
  const to = useMemo(() => new Date(Math.ceil(Date.now() / 60_000) * 60_000), []);
  const from = new Date(to.getTime() - LIST_DAYS * 86_400_000);
  const { data } = usePolledApi<ComplianceResponse>(`/api/compliance?from=${from.toISOString()}&to=${to.toISOString()}`, 5 * 60_000, ['shift']);
  const filter = useSignal('');
  const chosen = useSignal<ShiftCompliance | null>(null);
  const needle = filter.value.trim().toLowerCase();
  const shifts = (data.value?.shifts ?? [])
    .filter((s) => !needle || `${s.name} ${s.badge} ${s.startedAt.slice(0, 10)}`.toLowerCase().includes(needle))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return (
    <section class={embedded ? 'stack' : 'panel stack'} aria-label={t('audit.title')} data-testid="route-audit">
      {!embedded && <h2>{t('audit.title')}</h2>}
      {chosen.value ? (
        <ShiftAudit shift={chosen.value} onBack={() => (chosen.value = null)} />
      ) : (
        <>
          <label>
            {t('audit.search')}
            <input type="search" value={filter.value} placeholder={t('audit.searchHint')} onInput={(e) => (filter.value = e.currentTarget.value)} />
          </label>
          {data.value && shifts.length === 0 && <p class="muted">{t('audit.noShifts', { days: LIST_DAYS })}</p>}
          <ul class="task-list">
            {shifts.map((s) => (
              <li key={s.shiftId} class="task" data-shift={s.shiftId}>
                <button type="button" class="audit-pick" onClick={() => (chosen.value = s)}>
                  <strong>
                    {s.name}（{s.badge}）
                  </strong>
                  <span class="muted">
                    {s.startedAt.slice(0, 10)} {formatTime(s.startedAt)}–{s.endedAt ? formatTime(s.endedAt) : t('audit.open')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

interface Loaded {
  track: AuditTrackResponse;
  checkins: CheckinsResponse['checkins'];
  native: NativeTrackResponse;
  /** The officer's answers to tasks (lockdown points among them) during the shift. */
  taskUpdates: Array<TaskUpdateView & { title: string }>;
  /** The incidents the officer reported that happened during the shift. */
  incidents: IncidentSummary[];
}

function ShiftAudit({ shift, onBack }: { shift: ShiftCompliance; onBack: () => void }) {
  const loaded = useSignal<Loaded | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const window = `officerId=${encodeURIComponent(shift.officerId)}&from=${shift.startedAt}&to=${shift.endedAt ?? new Date().toISOString()}`;
    Promise.all([
      api<AuditTrackResponse>(`/api/audit/track?${window}`, { signal: controller.signal }),
      api<CheckinsResponse>(`/api/checkins?${window}`, { signal: controller.signal }),
      api<NativeTrackResponse>(`/api/audit/native-track?${window}`, { signal: controller.signal }),
      api<TasksResponse>('/api/tasks', { signal: controller.signal }),
      api<IncidentsResponse>(`/api/incidents?from=${shift.startedAt}&to=${shift.endedAt ?? new Date().toISOString()}`, { signal: controller.signal }),
    ]).then(
      ([track, { checkins }, native, { tasks }, { incidents }]) => {
        const end = shift.endedAt ?? new Date().toISOString();
        const taskUpdates = tasks.flatMap((task) =>
          task.updates.filter((u) => u.officerId === shift.officerId && u.at >= shift.startedAt && u.at <= end).map((u) => ({ ...u, title: task.title })),
        );
        loaded.value = {
          track,
          checkins: checkins.filter((c) => c.shiftId === shift.shiftId),
          native,
          taskUpdates,
          incidents: incidents.filter((i) => i.reportedBy.id === shift.officerId),
        };
      },
      (error: unknown) => {
        if (!controller.signal.aborted) reportError(error);
      },
    );
    return () => controller.abort();
  }, [shift.shiftId]);

  return (
    <div class="stack">
      <button type="button" onClick={onBack}>
        {t('audit.back')}
      </button>
      <p>
        <strong>
          {shift.name}（{shift.badge}）
        </strong>{' '}
        {shift.startedAt.slice(0, 10)} {formatTime(shift.startedAt)}–{shift.endedAt ? formatTime(shift.endedAt) : t('audit.open')}
      </p>
      {loaded.value ? <Replay shift={shift} data={loaded.value} /> : <p class="muted">{t('audit.loading')}</p>}
    </div>
  );
}

function Replay({ shift, data }: { shift: ShiftCompliance; data: Loaded }) {
  const { track, checkins, native, taskUpdates, incidents } = data;
  const segments = useMemo(() => routeSegments(track.points, track.tracking), [track]);
  const { verdict: chainVerdict, evidence } = useMemo(() => auditVerdict(track), [track]);
  const analysis = useRouteAnalysis(shift, track, native);
  // The verdict waits for the analysis (a flag makes it suspicious), unless the analysis failed.
  const verdict = analysis.value === 'failed' ? chainVerdict : analysis.value && shiftVerdict(chainVerdict, analysis.value.flags);
  const first = segments[0]?.[0];
  const last = segments.at(-1)?.at(-1);
  const start = first ? Date.parse(first.fixAt) : Date.parse(shift.startedAt);
  const end = last ? Date.parse(last.fixAt) : start;
  const at = useSignal(start);
  const playing = useSignal(false);
  const speed = useSignal<(typeof SPEEDS)[number]>(16);
  useEffect(() => {
    if (!playing.value) return;
    const timer = setInterval(() => {
      const next = Math.min(end, at.value + TICK_MS * speed.value);
      at.value = next;
      if (next >= end) playing.value = false;
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing.value, speed.value, end]);

  const here = replayAt(segments, at.value);
  const route = useMemo(() => asRoute(segments), [segments]);
  const pauses = track.tracking.filter((m) => m.state === 'paused');
  const seek = (iso: string) => ((at.value = Math.min(end, Math.max(start, Date.parse(iso)))), (playing.value = false));
  const names = new Map(checkpoints.value.map((c) => [c.id, c]));
  const distanceM = segmentsDistanceM(segments);
  const summary =
    t('audit.summary', {
      km: (distanceM / 1000).toFixed(2),
      duration: formatDuration(Math.round((end - start) / 60_000)),
      n: track.points.length,
      pauses: pauses.length,
    }) + (native.points.length > 0 ? ` · ${t('audit.native', { n: native.points.length })}` : '');
  const fileName = `${shift.badge}-${shift.startedAt.slice(0, 10)}`;
  const takeSnapshot = useRef<(() => Promise<string>) | null>(null);
  // The map as it stood when the report was asked for; the report itself is always ready for print.
  const snapshot = useSignal<string | null>(null);
  const printing = useSignal(0);
  useEffect(() => {
    if (!printing.value) return;
    // After the snapshot has rendered into the report: print() takes the page as it is.
    const frame = requestAnimationFrame(() => printPart('audit'));
    return () => cancelAnimationFrame(frame);
  }, [printing.value]);
  const print = async () => {
    snapshot.value = takeSnapshot.current ? await takeSnapshot.current().catch(() => null) : null;
    printing.value++;
  };

  return (
    <div class="stack">
      {verdict ? (
        <p
          class={verdict === 'altered' || verdict === 'suspicious' ? 'form-error' : verdict === 'intact' ? 'ok' : ''}
          data-testid="audit-verdict"
          data-verdict={verdict}
        >
          {t(VERDICT_KEYS[verdict])}
        </p>
      ) : (
        <p class="muted">{t('audit.analysing')}</p>
      )}
      {verdict === 'altered' && (
        <ul class="muted" data-testid="audit-evidence">
          {evidence.map((e) => (
            <li key={e} data-evidence={e}>
              {evidenceText(e)}
            </li>
          ))}
        </ul>
      )}
      <p class="stats" data-testid="audit-summary" data-fixes={track.points.length} data-distance-m={Math.round(distanceM)}>
        {summary}
      </p>
      {analysis.value && analysis.value !== 'failed' && (
        <>
          <ShiftFacts shift={shift} analysis={analysis.value} track={track} />
          <Flags flags={analysis.value.flags} onSeek={seek} />
        </>
      )}
      {track.points.length > 0 ? (
        <>
          <LazyAuditMap
            route={route}
            position={here && { lat: here.point.lat, lon: here.point.lon, accuracy: here.point.accuracy }}
            checkpoints={checkpoints.value}
            native={native.points}
            onSnapshot={(take) => (takeSnapshot.current = take)}
          />
          {analysis.value && analysis.value !== 'failed' && (
            <Timeline start={start} end={end} marks={timelineMarks(analysis.value.stops, track.tracking, end)} at={at.value} onSeek={seek} />
          )}
          <label>
            <span data-testid="audit-at" data-at={here?.point.fixAt ?? ''}>
              {formatTime(new Date(at.value).toISOString())}
              {here?.inGap ? ` · ${t('audit.inPause')}` : here?.speedMs != null ? ` · ${t('audit.speed', { kmh: (here.speedMs * 3.6).toFixed(1) })}` : ''}
            </span>
            <input
              type="range"
              min={start}
              max={end}
              step={1000}
              value={at.value}
              onInput={(e) => ((at.value = Number(e.currentTarget.value)), (playing.value = false))}
            />
          </label>
          <div class="task-actions">
            <button type="button" class="primary" onClick={() => (at.value >= end && (at.value = start), (playing.value = !playing.value))}>
              {playing.value ? t('audit.pause') : t('audit.play')}
            </button>
            <select
              aria-label={t('audit.speedLabel')}
              value={speed.value}
              onChange={(e) => (speed.value = Number(e.currentTarget.value) as (typeof SPEEDS)[number])}
            >
              {SPEEDS.map((s) => (
                <option key={s} value={s}>
                  {s}×
                </option>
              ))}
            </select>
          </div>
          <div class="task-actions" role="group" aria-label={t('audit.exports')}>
            <button
              type="button"
              onClick={() => downloadText(routeGpx(segments, `${shift.name} ${shift.badge} ${shift.startedAt}`), `${fileName}.gpx`, 'application/gpx+xml')}
            >
              {t('audit.gpx')}
            </button>
            <button
              type="button"
              onClick={() =>
                downloadText(routeGeoJson(segments, `${shift.name} ${shift.badge} ${shift.startedAt}`), `${fileName}.geojson`, 'application/geo+json')
              }
            >
              {t('audit.geojson')}
            </button>
            <button type="button" onClick={() => downloadText(routeCsv(segments, native.points), `${fileName}.csv`, 'text/csv')}>
              {t('audit.csv')}
            </button>
            <button type="button" onClick={() => void print()} disabled={!verdict}>
              {t('audit.print')}
            </button>
          </div>
        </>
      ) : (
        <p class="muted">{t('audit.noFixes')}</p>
      )}
      <ul class="task-list" data-testid="audit-marks">
        {pauses.map((m) => (
          <li key={m.id} class="task" data-mark="pause">
            <button type="button" class="audit-pick" onClick={() => seek(m.at)}>
              {formatTime(m.at)} · {t('audit.pauseMark', { reason: t(`reason.${m.reason}` as MessageKey) })}
            </button>
          </li>
        ))}
        {analysis.value !== 'failed' &&
          analysis.value?.stops.map((stop) => (
            <li key={stop.from} class="task" data-mark="stop">
              <button type="button" class="audit-pick" onClick={() => seek(stop.from)}>
                {formatTime(stop.from)}–{formatTime(stop.to)} · {t('audit.stopMark', { duration: formatDuration(stopMinutes(stop)) })}
              </button>
            </li>
          ))}
        {checkins.map((c) => (
          <li key={c.id} class="task" data-mark="checkin" data-verdict={c.verdict}>
            <button type="button" class="audit-pick" onClick={() => seek(c.enteredAt)}>
              {formatTime(c.enteredAt)} ·{' '}
              {t('audit.checkinMark', { name: names.get(c.checkpointId)?.name[locale.value] ?? c.checkpointId, verdict: t(`audit.checkin.${c.verdict}`) })}
            </button>
          </li>
        ))}
        {taskUpdates.map((u) => (
          <li key={u.recordId} class="task" data-mark="task" data-state={u.state} data-method={u.method}>
            <button type="button" class="audit-pick" onClick={() => seek(u.at)}>
              {formatTime(u.at)} · {t('audit.taskMark', { title: u.title, state: t(STATE_KEYS[u.state]) })}
              {u.state === 'on-scene' && ` · ${arrivalText(u.method, u.arrival)}`}
            </button>
          </li>
        ))}
        {incidents.map((incident) => (
          <li key={incident.incidentId} class="task" data-mark="incident" data-state={incident.status}>
            <button type="button" class="audit-pick" onClick={() => seek(incident.occurredAt)}>
              {formatTime(incident.occurredAt)} ·{' '}
              {t('audit.incidentMark', { category: categoryName(incident.category), state: t(INCIDENT_STATE_KEYS[incident.status]) })}
            </button>
          </li>
        ))}
      </ul>
      {verdict && (
        <PrintReport
          shift={shift}
          track={track}
          verdict={verdict}
          verdictKey={VERDICT_KEYS[verdict]}
          evidence={evidence}
          analysis={analysis.value === 'failed' ? null : analysis.value}
          summary={summary}
          snapshot={snapshot.value}
        />
      )}
    </div>
  );
}

/** The segments as the route layer draws them: a gap entry between segments breaks the line. */
function asRoute(segments: readonly Segment[]): TrackEntry[] {
  let seq = 0;
  return segments.flatMap((s, i) => [
    ...(i > 0 ? [{ shiftId: '', seq: seq++, kind: 'gap' as const, lat: 0, lon: 0, accuracy: 0, fixAt: s[0]!.fixAt }] : []),
    ...s.map((p) => ({ shiftId: '', seq: seq++, kind: 'fix' as const, lat: p.lat, lon: p.lon, accuracy: p.accuracy, fixAt: p.fixAt })),
  ]);
}
