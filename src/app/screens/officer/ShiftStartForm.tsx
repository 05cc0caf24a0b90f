import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { DEFAULT_EQUIPMENT, type EquipmentItem } from '../../../domain/equipment.js';
import type { SessionUser } from '../../../domain/protocol/auth.js';
import { locale, t } from '../../i18n/index.js';
import { reportError } from '../../state/notices.js';
import { useAction } from '../../state/use-action.js';
import { localEntities, startShift } from '../../state/shift.js';

interface Option {
  id: string;
  label: string;
}

const EIGHT_HOURS = 8 * 3600_000;

/** 巡防报备: who patrols, how, with what equipment, in which zones, until when. */
export function ShiftStartForm({ user, onDone }: { user: SessionUser; onDone: () => void }) {
  const members = useSignal<Option[]>([]);
  const zones = useSignal<Option[]>([]);
  const chosenMembers = useSignal<string[]>([]);
  const chosenZones = useSignal<string[]>([]);
  const vehicle = useSignal<string | null>(null);
  const equipment = useSignal<Record<string, EquipmentItem | undefined>>({});
  const plannedEnd = useSignal(toLocalInput(new Date(Date.now() + EIGHT_HOURS)));
  const { busy, run } = useAction();

  useEffect(() => {
    const lang = locale.value;
    Promise.all([localEntities(user.id, 'squad-member'), localEntities(user.id, 'zone')])
      .then(([people, areas]) => {
        members.value = people
          .filter((p) => p.id !== user.id && p.data.role === 'officer')
          .map((p) => ({ id: p.id, label: `${String(p.data.name)}（${String(p.data.badge)}）` }));
        const mine = areas.filter((z) => z.data.squadId === user.squadId);
        zones.value = mine.map((z) => ({ id: z.id, label: (z.data.name as Record<string, string>)[lang] ?? z.id }));
        chosenZones.value = mine.map((z) => z.id);
      })
      .catch(reportError);
  }, [user.id]);

  const toggle = (list: typeof chosenMembers, id: string) => {
    list.value = list.value.includes(id) ? list.value.filter((x) => x !== id) : [...list.value, id];
  };
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
        zoneIds: chosenZones.value,
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
        {members.value.map((m) => (
          <label key={m.id} class="check">
            <input type="checkbox" checked={chosenMembers.value.includes(m.id)} onChange={() => toggle(chosenMembers, m.id)} /> {m.label}
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
        {vehicle.value !== null && <input name="plate" maxLength={32} value={vehicle.value} onInput={(e) => (vehicle.value = e.currentTarget.value)} />}
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
        {zones.value.length === 0 && <p class="muted">{t('shift.form.noZones')}</p>}
        {zones.value.map((z) => (
          <label key={z.id} class="check">
            <input type="checkbox" checked={chosenZones.value.includes(z.id)} onChange={() => toggle(chosenZones, z.id)} /> {z.label}
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
