import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { PERSON_ROLES, type PhotoRef } from '../../../domain/incidents.js';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { locale, t, type MessageKey } from '../../i18n/index.js';
import { LazyPlaceMap } from '../../map/LazyMap.js';
import { checkpoints, idNumbersOn, taxonomy, zones } from '../../state/local-copies.js';
import { preparePhotos, reportIncident, type IncidentDraft } from '../../state/incidents.js';
import { notify } from '../../state/notices.js';
import { useAction } from '../../state/use-action.js';

type PersonRole = (typeof PERSON_ROLES)[number];
type Person = IncidentDraft['people'][number];
interface Fix {
  lat: number;
  lon: number;
  accuracy: number;
}

const ROLE_KEYS: Record<PersonRole, MessageKey> = {
  victim: 'incident.role.victim',
  witness: 'incident.role.witness',
  suspect: 'incident.role.suspect',
  reporter: 'incident.role.reporter',
};

/** A Date as a datetime-local input shows it, in the phone's own time zone. */
function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/**
 * Reporting an incident on the spot (上报警情): category first (big targets), then when and
 * where (the current fix unless the officer types an address), what happened, who was there,
 * casualties and photos from the camera. Works offline: everything is kept on the device and
 * goes when there is a network, the photos before the report.
 */
export function IncidentForm({ user, onDone }: { user: SessionUser; onDone: () => void }) {
  const category = useSignal<string | null>(null);
  const occurredAt = useSignal(localInput(new Date()));
  const where = useSignal<'fix' | 'map' | 'address'>('fix');
  /** [lon, lat] tapped on the map. */
  const picked = useSignal<[number, number] | null>(null);
  const fix = useSignal<Fix | null>(null);
  const locating = useSignal<string | null>(null);
  const address = useSignal('');
  const description = useSignal('');
  const people = useSignal<Person[]>([]);
  const injured = useSignal(0);
  const dead = useSignal(0);
  const photos = useSignal<Array<{ ref: PhotoRef; url: string }>>([]);
  const preparing = useSignal<{ done: number; of: number } | null>(null);
  const tried = useSignal(false);
  const { busy, error, run } = useAction({ inline: true });

  const locate = () => {
    locating.value = t('incident.locating');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        fix.value = { lat: position.coords.latitude, lon: position.coords.longitude, accuracy: position.coords.accuracy };
        locating.value = null;
      },
      (failure) => (locating.value = failure.code === 1 ? t('geo.denied') : t('geo.unavailable', { message: failure.message })),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 10_000 },
    );
  };
  useEffect(locate, []);
  useEffect(() => () => photos.peek().forEach((p) => URL.revokeObjectURL(p.url)), []);

  const addPhotos = (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length === 0) return;
    preparing.value = { done: 0, of: files.length };
    void run(async () => {
      try {
        const prepared = await preparePhotos(user.id, files, (done) => (preparing.value = { done, of: files.length }));
        const known = new Set(photos.value.map((p) => p.ref.sha256));
        const fresh = prepared.filter((p) => !known.has(p.ref.sha256)).map((p) => ({ ref: p.ref, url: URL.createObjectURL(p.blob) }));
        photos.value = [...photos.value, ...fresh];
      } finally {
        preparing.value = null;
      }
    });
  };

  const problems: MessageKey[] = [];
  if (!category.value) problems.push('incident.problem.category');
  if (where.value === 'fix' && !fix.value) problems.push('incident.problem.fix');
  if (where.value === 'map' && !picked.value) problems.push('incident.problem.map');
  if (where.value === 'address' && !address.value.trim()) problems.push('incident.problem.address');
  if (!occurredAt.value || Number.isNaN(Date.parse(occurredAt.value))) problems.push('incident.problem.time');

  function submit(event: Event) {
    event.preventDefault();
    tried.value = true;
    if (problems.length > 0 || preparing.value) return;
    const location =
      where.value === 'fix' && fix.value
        ? { source: 'fix' as const, lat: fix.value.lat, lon: fix.value.lon, accuracy: Math.round(fix.value.accuracy * 10) / 10 }
        : where.value === 'map' && picked.value
          ? { source: 'map' as const, lat: picked.value[1], lon: picked.value[0], accuracy: null }
          : { source: 'address' as const, lat: null, lon: null, accuracy: null, address: address.value.trim() };
    void run(async () => {
      await reportIncident(user, {
        category: category.value ?? 'other',
        occurredAt: new Date(occurredAt.value).toISOString(),
        location,
        description: description.value.trim(),
        people: people.value.map(trimPerson),
        injured: injured.value,
        dead: dead.value,
        photos: photos.value.map((p) => p.ref),
      });
      notify('info', t('incident.saved'));
      onDone();
    });
  }

  const setPerson = (i: number, patch: Partial<Person>) => (people.value = people.value.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <form class="panel stack incident-form" onSubmit={submit} aria-label={t('incident.form.title')} noValidate>
      <h2>{t('incident.form.title')}</h2>
      <fieldset>
        <legend>{t('incident.category')}</legend>
        <div class="incident-categories" role="radiogroup">
          {/* The unit's taxonomy as last pulled, so its own categories are there offline; hidden ones are for past reports only. */}
          {taxonomy.value
            .filter((c) => !c.hidden)
            .map((c) => (
              <button
                type="button"
                key={c.code}
                role="radio"
                aria-checked={category.value === c.code}
                data-category={c.code}
                onClick={() => (category.value = c.code)}
              >
                {c.name[locale.value]}
              </button>
            ))}
        </div>
      </fieldset>
      <label>
        {t('incident.time')}
        <input type="datetime-local" value={occurredAt.value} max={localInput(new Date())} onInput={(e) => (occurredAt.value = e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>{t('incident.where')}</legend>
        <div class="choice">
          <label class="check">
            <input type="radio" name="where" checked={where.value === 'fix'} onChange={() => (where.value = 'fix')} /> {t('incident.where.fix')}
          </label>
          <label class="check">
            <input type="radio" name="where" checked={where.value === 'map'} onChange={() => (where.value = 'map')} /> {t('incident.where.map')}
          </label>
          <label class="check">
            <input type="radio" name="where" checked={where.value === 'address'} onChange={() => (where.value = 'address')} /> {t('incident.where.address')}
          </label>
        </div>
        {where.value === 'map' && (
          <div class="stack task-place" data-testid="incident-place" data-picked={picked.value?.join(',') ?? ''}>
            <p class="muted">{t(picked.value ? 'incident.mapPicked' : 'incident.mapHint')}</p>
            <LazyPlaceMap
              zones={zones.value}
              checkpoints={checkpoints.value}
              selection={picked.value ? { kind: 'circle', center: picked.value, radiusM: 15 } : null}
              placing
              zoomToSelection
              onClick={(at) => (picked.value = [roundDeg(at[0]), roundDeg(at[1])])}
            />
          </div>
        )}
        {where.value === 'fix' ? (
          <p class="muted" data-testid="incident-fix">
            {fix.value ? t('incident.fix', { accuracy: Math.round(fix.value.accuracy) }) : (locating.value ?? t('incident.noFix'))}{' '}
            <button type="button" class="inline" onClick={locate}>
              {t('incident.relocate')}
            </button>
          </p>
        ) : (
          where.value === 'address' && (
            <input
              type="text"
              maxLength={200}
              placeholder={t('incident.addressHint')}
              aria-label={t('incident.where.address')}
              value={address.value}
              onInput={(e) => (address.value = e.currentTarget.value)}
            />
          )
        )}
      </fieldset>
      <label>
        {t('incident.description')}
        <textarea rows={3} maxLength={2000} value={description.value} onInput={(e) => (description.value = e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>{t('incident.people')}</legend>
        {people.value.map((person, i) => (
          <div class="incident-person" key={i}>
            <select aria-label={t('incident.person.role')} value={person.role} onChange={(e) => setPerson(i, { role: e.currentTarget.value as PersonRole })}>
              {PERSON_ROLES.map((role) => (
                <option key={role} value={role}>
                  {t(ROLE_KEYS[role])}
                </option>
              ))}
            </select>
            <input
              type="text"
              maxLength={64}
              placeholder={t('incident.person.name')}
              value={person.name ?? ''}
              onInput={(e) => setPerson(i, { name: e.currentTarget.value })}
            />
            <input
              type="tel"
              maxLength={32}
              placeholder={t('incident.person.phone')}
              value={person.phone ?? ''}
              onInput={(e) => setPerson(i, { phone: e.currentTarget.value })}
            />
            {idNumbersOn.value && (
              <input
                type="text"
                maxLength={32}
                autoComplete="off"
                placeholder={t('incident.person.idNumber')}
                value={person.idNumber ?? ''}
                onInput={(e) => setPerson(i, { idNumber: e.currentTarget.value })}
              />
            )}
            <button type="button" onClick={() => (people.value = people.value.filter((_, j) => j !== i))}>
              {t('incident.person.remove')}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => (people.value = [...people.value, { role: 'victim' }])}>
          {t('incident.person.add')}
        </button>
      </fieldset>
      <div class="incident-counts">
        <label>
          {t('incident.injured')}
          <input type="number" min={0} max={10000} inputMode="numeric" value={injured.value} onInput={(e) => (injured.value = count(e.currentTarget.value))} />
        </label>
        <label>
          {t('incident.dead')}
          <input type="number" min={0} max={10000} inputMode="numeric" value={dead.value} onInput={(e) => (dead.value = count(e.currentTarget.value))} />
        </label>
      </div>
      <fieldset>
        <legend>{t('incident.photos')}</legend>
        <label class="incident-camera">
          {t('incident.photos.take')}
          <input type="file" accept="image/*" capture="environment" multiple onChange={(e) => addPhotos(e.currentTarget)} data-testid="incident-photos" />
        </label>
        {preparing.value && (
          <p class="muted" role="status">
            {t('incident.photos.preparing', { done: preparing.value.done, n: preparing.value.of })}
          </p>
        )}
        {photos.value.length > 0 && (
          <ul class="incident-thumbs" data-testid="incident-thumbs">
            {photos.value.map((p) => (
              <li key={p.ref.sha256}>
                <img src={p.url} alt={t('incident.photo', { width: p.ref.width, height: p.ref.height })} />
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      {tried.value && problems.length > 0 && (
        <ul class="form-error" role="alert" data-testid="incident-problems">
          {problems.map((key) => (
            <li key={key}>{t(key)}</li>
          ))}
        </ul>
      )}
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy.value || !!preparing.value}>
        {t('incident.submit')}
      </button>
      <button type="button" onClick={onDone}>
        {t('shift.form.cancel')}
      </button>
    </form>
  );
}

/** Six decimals of a degree are about 10 cm: finer than a finger on a map, and no float noise stored. */
const roundDeg = (deg: number) => Math.round(deg * 1e6) / 1e6;

function count(value: string): number {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) ? Math.min(10_000, Math.max(0, n)) : 0;
}

/** A person as the record carries them: empty fields left out, and the identity number unless the unit records them. */
function trimPerson(person: Person): Person {
  const name = person.name?.trim();
  const phone = person.phone?.trim();
  const idNumber = idNumbersOn.peek() ? person.idNumber?.trim() : undefined;
  return { role: person.role, ...(name ? { name } : {}), ...(phone ? { phone } : {}), ...(idNumber ? { idNumber } : {}) };
}
