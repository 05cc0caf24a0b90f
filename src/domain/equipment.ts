/** A kind of equipment an officer checks out at shift start. */
export interface EquipmentKind {
  item: string;
  name: { 'zh-CN': string; en: string };
  /** Firearms carry their round count, checked out and returned. */
  counted: boolean;
}

/** The equipment list offered at shift start; the one place to change it. */
export const DEFAULT_EQUIPMENT: readonly EquipmentKind[] = [
  { item: 'firearm', name: { 'zh-CN': '枪支', en: 'Firearm' }, counted: true },
  { item: 'radio', name: { 'zh-CN': '对讲机', en: 'Radio' }, counted: false },
  { item: 'body-camera', name: { 'zh-CN': '执法记录仪', en: 'Body camera' }, counted: false },
  { item: 'vest', name: { 'zh-CN': '防弹衣', en: 'Protective vest' }, counted: false },
  { item: 'handcuffs', name: { 'zh-CN': '手铐', en: 'Handcuffs' }, counted: false },
  { item: 'baton', name: { 'zh-CN': '警棍', en: 'Baton' }, counted: false },
  { item: 'flashlight', name: { 'zh-CN': '强光手电', en: 'Flashlight' }, counted: false },
];

export interface EquipmentItem {
  item: string;
  serial?: string | undefined;
  rounds?: number | undefined;
}

/**
 * An item checked out and not brought back, as a shift.end record states it: the whole item, or
 * (with `rounds`) that many rounds of ammunition short.
 */
export interface MissingItem {
  item: string;
  serial?: string | undefined;
  /** Rounds not returned; absent when the item itself is missing and carried no rounds. */
  rounds?: number | undefined;
  reason?: string | undefined;
}

/**
 * A firearm, or ammunition, not returned: it needs the officer's reason, and it stays on the
 * leader's and supervisor's screens until one of them resolves it.
 */
export function isControlledLoss(missing: Pick<MissingItem, 'item' | 'rounds'>): boolean {
  return (missing.rounds ?? 0) > 0 || DEFAULT_EQUIPMENT.some((k) => k.item === missing.item && k.counted);
}

/** The officer's answer for one item checked out: returned or not (null until answered), rounds back, and why not. */
export interface ReturnAnswer {
  returned: boolean | null;
  /** Rounds handed back with a counted item; null until entered. */
  rounds: number | null;
  reason: string;
}

/** What is still wrong with an item's answer before the shift may end. */
export type ReturnProblem = 'unanswered' | 'rounds' | 'reason';

/** An item's answer, settled: what goes into `equipmentReturned`, what into `missing`, or what must be fixed first. */
export function settleReturn(
  out: EquipmentItem,
  answer: ReturnAnswer,
): { problem: ReturnProblem } | { returned: EquipmentItem | null; missing: MissingItem | null } {
  if (answer.returned === null) return { problem: 'unanswered' };
  const reason = answer.reason.trim() || undefined;
  const id = { item: out.item, ...(out.serial !== undefined ? { serial: out.serial } : {}) };
  let returned: EquipmentItem | null = null;
  let missing: MissingItem | null;
  if (answer.returned) {
    // A firearm checked out with no rounds has none to count back.
    if (out.rounds && (answer.rounds === null || answer.rounds < 0 || answer.rounds > out.rounds)) return { problem: 'rounds' };
    const back = out.rounds !== undefined ? (out.rounds ? (answer.rounds ?? 0) : 0) : undefined;
    returned = { ...id, ...(back !== undefined ? { rounds: back } : {}) };
    const short = out.rounds !== undefined ? out.rounds - (back ?? 0) : 0;
    missing = short > 0 ? { ...id, rounds: short } : null;
  } else {
    missing = { ...id, ...(out.rounds ? { rounds: out.rounds } : {}) };
  }
  if (missing && reason) missing.reason = reason;
  if (missing && isControlledLoss(missing) && !reason) return { problem: 'reason' };
  return { returned, missing };
}
