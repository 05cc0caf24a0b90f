import { TaskForm } from './TaskForm.js';
import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { INCIDENT_STATES, type IncidentState } from '../../../domain/incidents.js';
import type { IncidentDetailResponse, IncidentsResponse, IncidentSummary } from '../../../domain/protocol/incidents.js';
import { api, OfflineError } from '../../../store/api.js';
import { formatDateTime, locale, t, type MessageKey } from '../../i18n/index.js';
import { INCIDENT_STATE_COLOURS } from '../../map/incident-marks.js';
import { LazyIncidentMap } from '../../map/LazyMap.js';
import { taxonomy, zones } from '../../state/local-copies.js';
import { notify, reportError } from '../../state/notices.js';
import { currentUser } from '../../state/session.js';
import { syncStatus } from '../../state/sync.js';
import { usePolledApi } from '../../state/use-polled-api.js';
import { BlobImage } from '../../components/IncidentPhotos.js';
import { categoryName, INCIDENT_STATE_KEYS, incidentPlace } from '../incident-text.js';
import { TimelineStep } from '../IncidentTimeline.js';
import { IncidentUpdateForm } from '../IncidentUpdateForm.js';

const REFRESH_MS = 60_000;
const HOUR = 3600_000;
/** The time ranges offered, back from now; the server allows at most 31 days. */
const RANGES = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR } as const;
type Range = keyof typeof RANGES;
const RANGE_KEYS: Record<Range, MessageKey> = { '24h': 'incidents.range.24h', '7d': 'incidents.range.7d', '30d': 'incidents.range.30d' };
const ROLE_KEYS: Record<string, MessageKey> = {
  victim: 'incident.role.victim',
  witness: 'incident.role.witness',
  suspect: 'incident.role.suspect',
  reporter: 'incident.role.reporter',
};

/**
 * The incidents (警情) of the squad (leader) or unit (supervisor): filtered by time range,
 * category, status and zone, on a map and a list; tapping one opens its page.
 */
export function Incidents() {
  const range = useSignal<Range>('7d');
  const category = useSignal('');
  const status = useSignal<IncidentState | ''>('');
  const zoneId = useSignal('');
  const view = useSignal<'list' | 'map'>('list');
  const open = useSignal<string | null>(null);
  // The window starts when the range is chosen and runs to now at each refresh (the server's default `to`).
  const from = useMemo(() => new Date(Date.now() - RANGES[range.value]).toISOString(), [range.value]);
  const query = new URLSearchParams({ from, ...(category.value && { category: category.value }), ...(status.value && { status: status.value }) });
  if (zoneId.value) query.set('zoneId', zoneId.value);
  const { data, offline } = usePolledApi<IncidentsResponse>(`/api/incidents?${query.toString()}`, REFRESH_MS);
  const list = data.value?.incidents ?? null;

  return (
    <section class="panel" aria-label={t('incidents.title')} data-testid="incidents">
      <h2>{t('incidents.title')}</h2>
      {offline.value && <p class="form-error">{t('incidents.needsNetwork')}</p>}
      {open.value ? (
        <IncidentPage incidentId={open.value} onBack={() => (open.value = null)} />
      ) : (
        <>
          <div class="board-view incidents-range" role="group" aria-label={t('incidents.range')}>
            {(Object.keys(RANGES) as Range[]).map((r) => (
              <button key={r} type="button" aria-pressed={range.value === r} onClick={() => (range.value = r)}>
                {t(RANGE_KEYS[r])}
              </button>
            ))}
          </div>
          <div class="incidents-filters">
            <label>
              {t('incident.category')}
              <select value={category.value} onChange={(e) => (category.value = e.currentTarget.value)}>
                <option value="">{t('incidents.all')}</option>
                {taxonomy.value.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name[locale.value]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('incidents.status')}
              <select value={status.value} onChange={(e) => (status.value = INCIDENT_STATES.find((s) => s === e.currentTarget.value) ?? '')}>
                <option value="">{t('incidents.all')}</option>
                {INCIDENT_STATES.map((s) => (
                  <option key={s} value={s}>
                    {t(INCIDENT_STATE_KEYS[s])}
                  </option>
                ))}
              </select>
            </label>
            {zones.value.length > 1 && (
              <label>
                {t('incidents.zone')}
                <select value={zoneId.value} onChange={(e) => (zoneId.value = e.currentTarget.value)}>
                  <option value="">{t('incidents.all')}</option>
                  {zones.value.map((z) => (
                    <option key={z.id} value={z.id}>
                      {z.name[locale.value]}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          {list && (
            <p class="muted" data-testid="incidents-count">
              {t('incidents.count', { n: list.length })}
              {data.value?.truncated && ` · ${t('incidents.truncated', { n: list.length })}`}
            </p>
          )}
          {list && list.length > 0 && (
            <div class="board-view" role="group" aria-label={t('board.view')}>
              {(['list', 'map'] as const).map((v) => (
                <button key={v} type="button" aria-pressed={view.value === v} onClick={() => (view.value = v)}>
                  {t(v === 'list' ? 'board.view.list' : 'board.view.map')}
                </button>
              ))}
            </div>
          )}
          {list && list.length > 0 && view.value === 'map' && <IncidentsMap incidents={list} onSelect={(id) => (open.value = id)} />}
          {list && view.value === 'list' && (
            <ul class="task-list incidents-list">
              {list.map((incident) => (
                <IncidentItem key={incident.incidentId} incident={incident} onOpen={() => (open.value = incident.incidentId)} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** The map, its colour legend, and how many incidents have only an address to show. */
function IncidentsMap({ incidents, onSelect }: { incidents: readonly IncidentSummary[]; onSelect: (id: string) => void }) {
  const unplaced = incidents.filter((i) => i.lat === null || i.lon === null).length;
  return (
    <div class="board-map">
      <LazyIncidentMap zones={zones.value} incidents={incidents} onSelect={onSelect} />
      <ul class="map-legend">
        {INCIDENT_STATES.map((s) => (
          <li key={s} style={`--mark: ${INCIDENT_STATE_COLOURS[s]}`}>
            {t(INCIDENT_STATE_KEYS[s])}
          </li>
        ))}
      </ul>
      {unplaced > 0 && <p class="muted">{t('incidents.noPlace', { n: unplaced })}</p>}
    </div>
  );
}

function IncidentItem({ incident, onOpen }: { incident: IncidentSummary; onOpen: () => void }) {
  return (
    <li class="task incident" data-incident={incident.incidentId} data-state={incident.status} style={`--mark: ${INCIDENT_STATE_COLOURS[incident.status]}`}>
      <button type="button" class="incident-open" onClick={onOpen}>
        <span class="task-head">
          <strong>{categoryName(incident.category)}</strong>
          <span class="incident-status">{t(INCIDENT_STATE_KEYS[incident.status])}</span>
        </span>
        <span class="muted">
          {formatDateTime(incident.occurredAt)} · {incidentPlace(incident)}
        </span>
        <span class="muted">
          {incident.reportedBy.name} {incident.reportedBy.badge}
          {incident.photos > 0 && ` · ${t('incident.photoCount', { n: incident.photos })}`}
          {(incident.injured > 0 || incident.dead > 0) && ` · ${t('incident.casualties', { injured: incident.injured, dead: incident.dead })}`}
          {incident.demo && ` · ${t('incidents.demo')}`}
        </span>
        {incident.previews.length > 0 && (
          <span class="incident-previews" data-testid="incident-previews">
            {incident.previews.map((photo) => (
              <BlobImage
                key={photo.sha256}
                sha256={photo.thumb?.sha256 ?? photo.sha256}
                alt={t('incident.photo', { width: photo.width, height: photo.height })}
              />
            ))}
          </span>
        )}
      </button>
    </li>
  );
}

/** One incident's page: what, when, where, who, its timeline and its photos. */
function IncidentPage({ incidentId, onBack }: { incidentId: string; onBack: () => void }) {
  const page = useSignal<IncidentDetailResponse | null>(null);
  const offline = useSignal(false);
  const makingTask = useSignal(false);
  const updating = useSignal(false);
  const user = currentUser.value;
  // Read again after each sync: an update made here shows once the server has it.
  const { lastSyncAt } = syncStatus.value;
  useEffect(() => {
    const controller = new AbortController();
    api<IncidentDetailResponse>(`/api/incidents/${incidentId}`, { signal: controller.signal }).then(
      (response) => (page.value = response),
      (error: unknown) => {
        if (error instanceof OfflineError) offline.value = true;
        else if (!controller.signal.aborted) reportError(error);
      },
    );
    return () => controller.abort();
  }, [incidentId, lastSyncAt]);
  const detail = page.value;
  return (
    <article class="stack incident-page" data-testid="incident-page" data-incident={incidentId}>
      <button type="button" onClick={onBack}>
        {t('incidents.back')}
      </button>
      {offline.value && <p class="form-error">{t('incidents.needsNetwork')}</p>}
      {!detail && !offline.value && <p class="muted">{t('app.loading')}</p>}
      {detail && (
        <>
          <div class="task-head" style={`--mark: ${INCIDENT_STATE_COLOURS[detail.incident.status]}`}>
            <h3>{categoryName(detail.incident.category)}</h3>
            <span class="incident-status" data-testid="incident-status">
              {t(INCIDENT_STATE_KEYS[detail.incident.status])}
              {detail.incident.handedTo ? ` → ${detail.incident.handedTo}` : ''}
            </span>
          </div>
          <dl class="incident-facts">
            <dt>{t('incident.time')}</dt>
            <dd>{formatDateTime(detail.incident.occurredAt)}</dd>
            <dt>{t('incident.where')}</dt>
            <dd>{incidentPlace(detail.incident) || '—'}</dd>
            <dt>{t('incidents.reportedBy')}</dt>
            <dd>
              {detail.incident.reportedBy.name} {detail.incident.reportedBy.badge} · {formatDateTime(detail.incident.reportedAt)}
            </dd>
            <dt>{t('incidents.casualties')}</dt>
            <dd>{t('incident.casualties', { injured: detail.incident.injured, dead: detail.incident.dead })}</dd>
            <dt>{t('incident.people')}</dt>
            <dd>
              {detail.incident.people.length === 0
                ? t('incidents.nobody')
                : detail.incident.people.map((p, i) => (
                    <div key={i}>
                      {t(ROLE_KEYS[p.role] ?? 'incident.role.reporter')}
                      {p.name && ` ${p.name}`}
                      {p.phone && ` · ${p.phone}`}
                      {p.note && ` · ${p.note}`}
                    </div>
                  ))}
            </dd>
          </dl>
          {detail.incident.description && <p class="incident-description">{detail.incident.description}</p>}
          <h3>{t('incidents.timeline')}</h3>
          <ol class="incident-timeline" data-testid="incident-timeline">
            {detail.timeline.map((step) => (
              <TimelineStep key={step.recordId} step={step} photos={detail.photos.filter((p) => p.recordId === step.recordId)} />
            ))}
          </ol>
          {detail.photos.length === 0 && <p class="muted">{t('incidents.noPhotos')}</p>}
          {/* The leader moves it along too: a signed update from this device, like an officer's. */}
          {user &&
            (updating.value ? (
              <section class="stack" data-testid="incident-update">
                <h3>{t('incident.update')}</h3>
                <IncidentUpdateForm
                  user={user}
                  incidentId={incidentId}
                  onDone={() => (updating.value = false)}
                  onSaved={() => notify('info', t('incident.update.saved'))}
                />
              </section>
            ) : (
              <button type="button" data-testid="incident-update-open" onClick={() => (updating.value = true)}>
                {t('incident.update')}
              </button>
            ))}
          {/* A task from the incident: its place to go to, what happened as the details. */}
          {makingTask.value ? (
            <section class="stack" data-testid="incident-task-form">
              <h3>{t('incidents.makeTask')}</h3>
              <TaskForm
                preset={{
                  title: `${categoryName(detail.incident.category)} · ${formatDateTime(detail.incident.occurredAt)}`,
                  details: [detail.incident.description, incidentPlace(detail.incident)].filter(Boolean).join('\n'),
                  point: detail.incident.lat !== null && detail.incident.lon !== null ? [detail.incident.lon, detail.incident.lat] : null,
                }}
                onDone={() => (makingTask.value = false)}
              />
            </section>
          ) : (
            <button type="button" class="primary" data-testid="incident-make-task" onClick={() => (makingTask.value = true)}>
              {t('incidents.makeTask')}
            </button>
          )}
        </>
      )}
    </article>
  );
}
