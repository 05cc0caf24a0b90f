import { useSignal } from '@preact/signals';
import { DEFAULT_EQUIPMENT, type EquipmentItem } from '../../../domain/equipment.js';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { locale, t } from '../../i18n/index.js';
import { useAction } from '../../state/use-action.js';
import { squadMembers, zones as allZones } from '../../state/local-copies.js';
import { startShift } from '../../state/shift.js';

interface Option {
  id: string;
  label: string;
}

const EIGHT_HOURS = 8 * 3600_000;

/** 巡防报备: who patrols, how, with what equipment, in which zones, until when. */
export function ShiftStartForm({ user, onDone }: { user: SessionUser; onDone: () => void }) {
  const chosenMembers = useSignal<string[]>([]);
  // Every zone of the squad is chosen until the officer says otherwise (a pull may bring them after the form opened).
  const chosenZones = useSignal<string[] | null>(null);
  const vehicle = useSignal<string | null>(null);
  const equipment = useSignal<Record<string, EquipmentItem | undefined>>({});
  const plannedEnd = useSignal(toLocalInput(new Date(Date.now() + EIGHT_HOURS)));
  const { busy, run } = useAction();

  const lang = locale.value;
  const members: Option[] = squadMembers.value
    .filter((p) => p.id !== user.id && p.role === 'officer')
    .map((p) => ({ id: p.id, label: `${p.name}（${p.badge}）` }));
  // A zone's population, where the admin gave one, says how much a beat holds.
  const people = new Intl.NumberFormat(lang);
  const zones: Option[] = allZones.value
    .filter((z) => z.squadId === user.squadId)
    .map((z) => ({
      id: z.id,
      label: typeof z.population === 'number' ? `${z.name[lang]} · ${t('zones.populationOf', { people: people.format(z.population) })}` : z.name[lang],
    }));
  const chosen = chosenZones.value ?? zones.map((z) => z.id);

  const toggled = (list: string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);
  const setItem = (item: string, value: EquipmentItem | undefined) => {
    equipment.value = { ...equipment.value, [item]: value };
  };

  function submit(event: Event) {
    event.preventDefault();
    void run(async () => {
      await startShift(user, {
        members: chosenMembers.value,
        vehicle: vehicle.value?.trim() || null,
        equipment: Object.values(equipment.value).filter((e): e is EquipmentItem => !!e),
        zoneIds: chosen,
        plannedEndAt: new Date(plannedEnd.value).toISOString(),
      });
      onDone();
    });
  }

  return (
    <form class="panel stack shift-form" onSubmit={submit} aria-label={t('shift.form.title')}>
      <h2>{t('shift.form.title')}</h2>
      <fieldset>
        <legend>{t('shift.form.members')}</legend>
        {members.map((m) => (
          <label key={m.id} class="check">
            <input type="checkbox" checked={chosenMembers.value.includes(m.id)} onChange={() => (chosenMembers.value = toggled(chosenMembers.value, m.id))} />{' '}
            {m.label}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('shift.form.vehicle')}</legend>
        <label class="check">
          <input type="radio" name="mode" checked={vehicle.value === null} onChange={() => (vehicle.value = null)} /> {t('shift.form.onFoot')}
        </label>
        <label class="check">
          <input type="radio" name="mode" checked={vehicle.value !== null} onChange={() => (vehicle.value = '')} /> {t('shift.form.byVehicle')}
        </label>
        {/* Required: a vehicle patrol without its plate would be recorded, and judged, as on foot. */}
        {vehicle.value !== null && (
          <input
            name="plate"
            aria-label={t('shift.form.plate')}
            required
            pattern=".*\S.*"
            maxLength={32}
            value={vehicle.value}
            onInput={(e) => (vehicle.value = e.currentTarget.value)}
          />
        )}
      </fieldset>
      <fieldset>
        <legend>{t('shift.form.equipment')}</legend>
        {DEFAULT_EQUIPMENT.map((kind) => {
          const current = equipment.value[kind.item];
          return (
            <div key={kind.item} class="equipment">
              <label class="check">
                <input
                  type="checkbox"
                  checked={!!current}
                  onChange={() => setItem(kind.item, current ? undefined : { item: kind.item, ...(kind.counted ? { rounds: 0 } : {}) })}
                />{' '}
                {kind.name[locale.value]}
              </label>
              {current && (
                <input
                  placeholder={t('shift.form.serial')}
                  aria-label={`${kind.name[locale.value]} ${t('shift.form.serial')}`}
                  maxLength={64}
                  value={current.serial ?? ''}
                  onInput={(e) => setItem(kind.item, { ...current, serial: e.currentTarget.value || undefined })}
                />
              )}
              {current && kind.counted && (
                <input
                  type="number"
                  min={0}
                  max={1000}
                  aria-label={t('shift.form.rounds')}
                  placeholder={t('shift.form.rounds')}
                  value={current.rounds ?? 0}
                  onInput={(e) => setItem(kind.item, { ...current, rounds: Math.max(0, Math.floor(Number(e.currentTarget.value) || 0)) })}
                />
              )}
            </div>
          );
        })}
      </fieldset>
      <fieldset>
        <legend>{t('shift.form.zones')}</legend>
        {zones.length === 0 && <p class="muted">{t('shift.form.noZones')}</p>}
        {zones.map((z) => (
          <label key={z.id} class="check">
            <input type="checkbox" checked={chosen.includes(z.id)} onChange={() => (chosenZones.value = toggled(chosen, z.id))} /> {z.label}
          </label>
        ))}
      </fieldset>
      <label>
        {t('shift.form.plannedEnd')}
        <input type="datetime-local" required value={plannedEnd.value} onInput={(e) => (plannedEnd.value = e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" disabled={busy.value}>
        {t('shift.form.submit')}
      </button>
      <button type="button" onClick={onDone}>
        {t('shift.form.cancel')}
      </button>
    </form>
  );
}

/** A Date as the value of a datetime-local input (local time, minutes). */
function toLocalInput(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
