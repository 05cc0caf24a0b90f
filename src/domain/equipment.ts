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

/** What was checked out and not (fully) returned: missing items, or fewer rounds back than out. */
export function unreturned(out: readonly EquipmentItem[], back: readonly EquipmentItem[]): EquipmentItem[] {
  return out.filter((o) => {
    const match = back.find((b) => b.item === o.item && (b.serial ?? '') === (o.serial ?? ''));
    return !match || (o.rounds !== undefined && (match.rounds ?? 0) < o.rounds);
  });
}
