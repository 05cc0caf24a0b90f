import { useSignal } from '@preact/signals';
import type { LockdownProposal, LockdownsResponse, LockdownView } from '../../../domain/protocol/lockdown.js';
import { api } from '../../../store/api.js';
import { formatDuration, formatTime, locale, t } from '../../i18n/index.js';
import { controlPointMarks } from '../../map/control-point-marks.js';
import { LazyPlaceMap } from '../../map/LazyMap.js';
import { controlPoints, zones } from '../../state/local-copies.js';
import { notify } from '../../state/notices.js';
import { useAction } from '../../state/use-action.js';
import { arrivalText } from '../task-text.js';
import { usePolledApi } from '../../state/use-polled-api.js';

const REFRESH_MS = 30_000;
/** The standard sealing rings; "auto" lets the server take the innermost that encloses. */
const RADII_M = [1000, 2000, 3000, 5000] as const;

/**
 * Rapid lockdown (快速封控): drop the incident on the map, take the server's proposal of the
 * control points on the ring and who mans each, adjust, order; then a board of every point,
 * manned or not, until it seals.
 */
export function Lockdown() {
  const { data, offline } = usePolledApi<LockdownsResponse>('/api/lockdowns', REFRESH_MS, ['task']);
  const planning = useSignal(false);
  const reload = async () => (data.value = await api<LockdownsResponse>('/api/lockdowns'));
  const active = data.value?.lockdowns.filter((l) => !l.endedAt) ?? [];
  const recent = data.value?.lockdowns.filter((l) => l.endedAt) ?? [];
  return (
    <section class="panel" aria-label={t('lockdown.title')} data-testid="lockdown">
      <h2>{t('lockdown.title')}</h2>
      {offline.value && <p class="form-error">{t('leader.needsNetwork')}</p>}
      {active.map((l) => (
        <LockdownBoard key={l.id} lockdown={l} onChanged={reload} />
      ))}
      {planning.value ? (
        <LockdownPlanner onDone={() => ((planning.value = false), void reload())} />
      ) : (
        <button type="button" class="danger" onClick={() => (planning.value = true)}>
          {t('lockdown.start')}
        </button>
      )}
      {recent.map((l) => (
        <LockdownBoard key={l.id} lockdown={l} onChanged={reload} />
      ))}
    </section>
  );
}

function LockdownPlanner({ onDone }: { onDone: () => void }) {
  const incident = useSignal<[number, number] | null>(null);
  const radius = useSignal<number | null>(null);
  const proposal = useSignal<LockdownProposal | null>(null);
  /** The leader's choice per point: an officer id, or '' for unmanned. */
  const chosen = useSignal<Record<string, string>>({});
  const note = useSignal('');
  const { busy, run } = useAction();

  const propose = (at: [number, number], radiusM: number | null) =>
    run(async () => {
      const answer = await api<LockdownProposal>('/api/lockdowns/proposal', {
        method: 'POST',
        body: { lon: at[0], lat: at[1], ...(radiusM ? { radiusM } : {}) },
      });
      proposal.value = answer;
      chosen.value = Object.fromEntries(answer.points.map((p) => [p.id, answer.assignments.find((a) => a.pointId === p.id)?.officerId ?? '']));
    });
  const order = () =>
    run(async () => {
      const plan = proposal.value;
      if (!plan || !incident.value) return;
      const assignments = Object.entries(chosen.value)
        .filter(([, officerId]) => officerId)
        .map(([pointId, officerId]) => ({ pointId, officerId }));
      await api('/api/lockdowns', {
        method: 'POST',
        body: { lon: incident.value[0], lat: incident.value[1], radiusM: plan.radiusM, note: note.value, assignments },
      });
      notify('info', t('lockdown.ordered'));
      onDone();
    });

  const plan = proposal.value;
  const officers = plan ? [...plan.assignments.map((a) => ({ id: a.officerId, name: a.officerName })), ...plan.free] : [];
  const travel = (pointId: string) => plan?.assignments.find((a) => a.pointId === pointId && a.officerId === chosen.value[pointId]);
  return (
    <div class="stack lockdown-planner">
      <p class="muted">{t(incident.value ? 'lockdown.moveHint' : 'lockdown.placeHint')}</p>
      <LazyPlaceMap
        zones={zones.value}
        checkpoints={controlPointMarks(controlPoints.value, locale.value, (name) => t('ctl.mapApprox', { name }))}
        selection={incident.value ? { kind: 'circle', center: incident.value, radiusM: plan?.radiusM ?? radius.value ?? RADII_M[1] } : null}
        placing
        onClick={(at) => {
          incident.value = at;
          void propose(at, radius.value);
        }}
      />
      <label>
        {t('lockdown.radius')}
        <select
          value={radius.value ?? ''}
          onChange={(e) => {
            radius.value = e.currentTarget.value ? Number(e.currentTarget.value) : null;
            if (incident.value) void propose(incident.value, radius.value);
          }}
        >
          <option value="">{t('lockdown.radiusAuto')}</option>
          {RADII_M.map((r) => (
            <option key={r} value={r}>
              {t('unit.km', { n: r / 1000 })}
            </option>
          ))}
        </select>
      </label>
      {plan && (
        <>
          <p class={plan.encloses ? 'ok' : 'form-error'} data-testid="lockdown-ring">
            {t(plan.encloses ? 'lockdown.encloses' : 'lockdown.gap', {
              km: (plan.radiusM / 1000).toFixed(1),
              n: plan.points.length,
              deg: Math.round(plan.largestGapDeg),
            })}
          </p>
          {plan.lastMannedS !== null && <p data-testid="lockdown-eta">{t('lockdown.eta', { duration: formatDuration(Math.ceil(plan.lastMannedS / 60)) })}</p>}
          <ul class="task-list">
            {plan.points.map((p) => (
              <li key={p.id} class="task" data-point={p.id} data-manned={chosen.value[p.id] ? 'yes' : 'no'}>
                <strong>{p.name[locale.value]}</strong>
                {p.approximate && <span class="badge-approx">{t('ctl.approxBadge')}</span>}
                <select
                  aria-label={t('lockdown.who', { point: p.name[locale.value] })}
                  value={chosen.value[p.id] ?? ''}
                  onChange={(e) => (chosen.value = { ...chosen.value, [p.id]: e.currentTarget.value })}
                >
                  <option value="">{t('lockdown.unmanned')}</option>
                  {officers.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
                </select>
                {travel(p.id) && <span class="muted">{t('lockdown.travel', { duration: formatDuration(Math.ceil(travel(p.id)!.travelS / 60)) })}</span>}
              </li>
            ))}
          </ul>
          {plan.unavailable.length > 0 && (
            <p class="muted">{t('lockdown.unavailable', { names: plan.unavailable.map((u) => u.name).join(t('shiftEnd.listSeparator')) })}</p>
          )}
          <label>
            {t('lockdown.note')}
            <input type="text" maxLength={500} value={note.value} onInput={(e) => (note.value = e.currentTarget.value)} />
          </label>
          <button type="button" class="danger" disabled={busy.value || !Object.values(chosen.value).some(Boolean)} onClick={() => void order()}>
            {t('lockdown.order')}
          </button>
        </>
      )}
      <button type="button" onClick={onDone}>
        {t('form.cancel')}
      </button>
    </div>
  );
}

function LockdownBoard({ lockdown, onChanged }: { lockdown: LockdownView; onChanged: () => Promise<unknown> }) {
  const { busy, run } = useAction();
  const now = Date.now();
  const manned = lockdown.points.filter((p) => p.arrivedAt).length;
  const minutes = (from: string, to: number) => Math.max(0, Math.round((to - Date.parse(from)) / 60_000));
  return (
    <div class="lockdown-board" data-testid="lockdown-board" data-lockdown={lockdown.id} data-sealed={lockdown.sealedAt ? 'yes' : 'no'}>
      <h3>
        {lockdown.endedAt ? t('lockdown.ended', { time: formatTime(lockdown.endedAt) }) : t('lockdown.since', { time: formatTime(lockdown.createdAt) })}
        {' · '}
        {lockdown.sealedAt
          ? t('lockdown.sealed', { duration: formatDuration(minutes(lockdown.createdAt, Date.parse(lockdown.sealedAt))) })
          : t('lockdown.manned', { n: manned, total: lockdown.points.length })}
      </h3>
      {lockdown.note && <p>{lockdown.note}</p>}
      <ul class="task-list">
        {lockdown.points.map((p) => {
          const late = !p.arrivedAt && !lockdown.endedAt && p.dueAt !== null && Date.parse(p.dueAt) < now;
          return (
            <li key={p.id} class="task" data-point={p.id} data-arrived={p.arrivedAt ? 'yes' : 'no'} data-overdue={late ? 'yes' : 'no'}>
              <div class="task-head">
                {late && <span class="badge-bad">{t('lockdown.late')}</span>}
                <strong>{p.name[locale.value]}</strong>
                {p.approximate && <span class="badge-approx">{t('ctl.approxBadge')}</span>}
              </div>
              <div class="muted">
                {p.officerName} ·{' '}
                {p.arrivedAt
                  ? `${t('lockdown.arrived', { time: formatTime(p.arrivedAt) })} · ${p.arrival ? arrivalText(p.arrival.method, p.arrival.check) : ''}`
                  : t('lockdown.notYet', { duration: formatDuration(minutes(lockdown.createdAt, now)) })}
              </div>
            </li>
          );
        })}
      </ul>
      {!lockdown.endedAt && (
        <button
          type="button"
          disabled={busy.value}
          onClick={() =>
            confirm(t('lockdown.confirmEnd')) &&
            void run(async () => {
              await api(`/api/lockdowns/${lockdown.id}/end`, { method: 'POST' });
              await onChanged();
            })
          }
        >
          {t('lockdown.end')}
        </button>
      )}
    </div>
  );
}
