import { computed, signal } from '@preact/signals';
import { LIVE_RESYNC } from '../../domain/protocol/live.js';
import { isAlarming, type OfficerLive, type SosAlert, type SquadLiveResponse, type SquadOfficer } from '../../domain/protocol/squad.js';
import { api, OfflineError } from '../../store/api.js';
import { liveEvents } from './live.js';
import { reportError } from './notices.js';

// The leader's and supervisor's live squad (issue 13): one snapshot from GET /api/squad/live, then
// the live channel's `position` and `sos` events applied to it as they come. Every copy of an
// officer's state or an alert carries a version (the live event id of its change): the higher
// wins, so a snapshot fetched while events arrive, or events replayed after a reconnect, can
// neither move an officer back nor list one twice.

interface SquadLive {
  squads: SquadLiveResponse['squads'];
  officers: readonly SquadOfficer[];
  /** The server's clock minus this device's, when the snapshot came. */
  skewMs: number;
}

/** The squad as last known; null until the first snapshot. */
export const squadLive = signal<SquadLive | null>(null);
/** The last snapshot could not be fetched (the events may still arrive). */
export const squadLiveOffline = signal(false);

/** Alerts that still sound: raised, not yet acknowledged (cancelled ones too, so the leader knows). */
export const alarmingAlerts = computed(() => (squadLive.value?.officers ?? []).flatMap((o) => (o.sos && o.sos.raisedAt && isAlarming(o.sos) ? [o.sos] : [])));

/** The server's now, as this device's clock and the snapshot's skew tell it. */
export function serverNow(): number {
  return Date.now() + (squadLive.peek()?.skewMs ?? 0);
}

/** Folds a snapshot into what is known: per officer, the newer state and the newer alert. */
function applySnapshot(response: SquadLiveResponse, requestedAt: number): void {
  const known = new Map((squadLive.peek()?.officers ?? []).map((o) => [o.officerId, o]));
  const officers = response.officers.map((fresh) => {
    const old = known.get(fresh.officerId);
    if (!old) return fresh;
    const state = old.version > fresh.version ? pickState(old) : pickState(fresh);
    const sos = newerAlert(old.sos, fresh.sos);
    return { ...fresh, ...state, sos };
  });
  // Half the round trip: the server's clock was read about then.
  const skewMs = Date.parse(response.now) - (requestedAt + (Date.now() - requestedAt) / 2);
  squadLive.value = { squads: response.squads, officers, skewMs };
}

const pickState = (o: OfficerLive): OfficerLive => ({
  officerId: o.officerId,
  position: o.position,
  tracking: o.tracking,
  native: o.native ?? null,
  heardAt: o.heardAt,
  version: o.version,
});

function newerAlert(a: SosAlert | null, b: SosAlert | null): SosAlert | null {
  if (!a || !b || a.id !== b.id) return b ?? a;
  return a.version > b.version ? a : b;
}

/** Applies one `position` event; false when the officer is not on the list (a snapshot is due). */
function applyPosition(state: OfficerLive): boolean {
  const current = squadLive.peek();
  const old = current?.officers.find((o) => o.officerId === state.officerId);
  if (!current || !old) return false;
  if (old.version < state.version) squadLive.value = { ...current, officers: current.officers.map((o) => (o === old ? { ...o, ...pickState(state) } : o)) };
  return true;
}

/** Applies one `sos` event; false when its officer is not on the list. */
function applySos(alert: SosAlert): boolean {
  const current = squadLive.peek();
  const old = current?.officers.find((o) => o.officerId === alert.officer.id);
  if (!current || !old) return false;
  const sos = newerAlert(old.sos, alert);
  if (sos !== old.sos) squadLive.value = { ...current, officers: current.officers.map((o) => (o === old ? { ...o, sos } : o)) };
  return true;
}

const REFRESH_MS = 60_000;

/**
 * Keeps the squad fresh while a screen shows it: a snapshot now, on every (re)connection of the
 * live channel, on a shift starting or ending, and once a minute (ages and silences move on
 * without events); events in between. Returns the way to stop.
 */
export function followSquad(path: string): () => void {
  const controller = new AbortController();
  const { signal: aborted } = controller;
  let loading: Promise<void> | null = null;
  let again = false;
  const load = (): Promise<void> => {
    if (loading) {
      again = true;
      return loading;
    }
    const requestedAt = Date.now();
    loading = api<SquadLiveResponse>(path, { signal: aborted })
      .then(
        (response) => {
          applySnapshot(response, requestedAt);
          squadLiveOffline.value = false;
        },
        (error: unknown) => {
          if (error instanceof OfflineError) squadLiveOffline.value = true;
          else if (!aborted.aborted) reportError(error);
        },
      )
      .finally(() => {
        loading = null;
        if (again && !aborted.aborted) {
          again = false;
          void load();
        }
      });
    return loading;
  };
  const version = (event: Event) => Number((event as MessageEvent).lastEventId) || 0;
  liveEvents.addEventListener(
    'position',
    (event) => {
      const data = (event as MessageEvent<OfficerLive | null>).data;
      if (data && !applyPosition({ ...data, version: version(event) })) void load();
    },
    { signal: aborted },
  );
  liveEvents.addEventListener(
    'sos',
    (event) => {
      const data = (event as MessageEvent<Omit<SosAlert, 'version'> | null>).data;
      if (data && !applySos({ ...data, version: version(event) })) void load();
    },
    { signal: aborted },
  );
  for (const kind of ['shift', LIVE_RESYNC]) liveEvents.addEventListener(kind, () => void load(), { signal: aborted });
  const timer = setInterval(() => document.visibilityState === 'visible' && void load(), REFRESH_MS);
  squadLive.value = null;
  void load();
  return () => {
    controller.abort();
    clearInterval(timer);
  };
}

/** Acknowledges an alert; the answer (and the live event) updates the list. */
export async function acknowledge(alertId: string): Promise<void> {
  const { alert } = await api<{ alert: SosAlert }>(`/api/sos/${alertId}/ack`, { method: 'POST' });
  applySos(alert);
}
