import { describe, expect, it } from 'vitest';
import type { PhotoRef } from '../../../../src/domain/incidents.js';
import type { SessionUser } from '../../../../src/domain/protocol/auth.js';
import type { IncidentDetailResponse } from '../../../../src/domain/protocol/incidents.js';
import type { BodyOf } from '../../../../src/domain/records.js';
import { fieldIncidentList } from '../../../../src/app/state/field-incidents.js';
import type { IncidentEntry } from '../../../../src/store/schema.js';

const me: SessionUser = { id: 'o1', badge: 'J001', name: '陈志强', role: 'officer', unitId: 'u1', squadId: 's1' };
const leader = { id: 'l1', badge: 'L001', name: '王建军' };
const photo = (n: number): PhotoRef => ({ sha256: String(n).repeat(64).slice(0, 64), size: 1000, type: 'image/jpeg', width: 2048, height: 1536 });

const report: BodyOf<'incident.report'> = {
  incidentId: 'i1',
  category: 'burglary',
  occurredAt: '2026-11-30T01:00:00.000Z',
  location: { source: 'fix', lat: 23.09, lon: 114.43, accuracy: 8 },
  description: '门锁有撬痕',
  people: [],
  injured: 0,
  dead: 0,
  photos: [photo(1)],
  shiftId: null,
};

/** The officer's own entry: the report and one update of theirs, both made on this device. */
const own: IncidentEntry = {
  officerId: 'o1',
  incidentId: 'i1',
  recordId: 'r-report',
  reportedAt: '2026-11-30T01:01:00.000Z',
  report,
  steps: [{ recordId: 'r-mine', at: '2026-11-30T01:30:00.000Z', state: 'on-scene', note: '已到场', photos: [photo(3)] }],
};

/** What pull delivered: the report and the leader's update, not yet the officer's own. */
const pulled: IncidentDetailResponse = {
  incident: {
    incidentId: 'i1',
    category: 'burglary',
    occurredAt: report.occurredAt,
    reportedAt: own.reportedAt,
    lat: 23.09,
    lon: 114.43,
    address: null,
    town: { 'zh-CN': '桥东街道', en: 'Qiaodong Subdistrict' },
    community: null,
    status: 'responding',
    statusAt: '2026-11-30T01:10:00.000Z',
    handedTo: null,
    injured: 0,
    dead: 0,
    reportedBy: { id: 'o1', badge: 'J001', name: '陈志强' },
    photos: 2,
    previews: [],
    demo: false,
    description: '门锁有撬痕',
    locationSource: 'fix',
    people: [],
  },
  timeline: [
    {
      recordId: 'r-report',
      kind: 'report',
      at: own.reportedAt,
      by: { id: 'o1', badge: 'J001', name: '陈志强' },
      state: 'reported',
      handedTo: null,
      note: null,
      injured: 0,
      dead: 0,
    },
    {
      recordId: 'r-leader',
      kind: 'update',
      at: '2026-11-30T01:10:00.000Z',
      by: leader,
      state: 'responding',
      handedTo: null,
      note: '已派员',
      injured: null,
      dead: null,
    },
  ],
  photos: [
    { ...photo(1), recordId: 'r-report' },
    { ...photo(2), recordId: 'r-leader' },
  ],
};

describe('the officer’s incident list', () => {
  it('shows the server’s timeline with others’ steps and photos, then the device’s own steps not yet there, marked waiting', () => {
    const [incident] = fieldIncidentList(me, [own], [pulled]);
    expect(incident?.steps.map((s) => [s.step.recordId, s.step.by.badge, s.pending, s.photos.map((p) => p.sha256[0])])).toEqual([
      ['r-report', 'J001', false, ['1']],
      ['r-leader', 'L001', false, ['2']],
      ['r-mine', 'J001', true, ['3']],
    ]);
    // The officer's own later step counts for the state, in device time, as the server will count it.
    expect(incident?.state).toBe('on-scene');
    expect(incident?.photoCount).toBe(3);
    // Where it was, as the server placed it in the unit's areas.
    expect([incident?.town?.en, incident?.community]).toEqual(['Qiaodong Subdistrict', null]);
  });

  it('works from the device alone before any pull, and from the server alone for an incident the officer was sent to', () => {
    const [alone] = fieldIncidentList(me, [own], []);
    expect(alone?.steps.map((s) => [s.step.recordId, s.pending])).toEqual([
      ['r-report', true],
      ['r-mine', true],
    ]);
    expect([alone?.town, alone?.community]).toEqual([null, null]);
    const sentTo = { ...pulled, incident: { ...pulled.incident, incidentId: 'i2', reportedBy: { id: 'o2', badge: 'J002', name: '李伟' } } };
    const [other] = fieldIncidentList(me, [], [sentTo]);
    expect([other?.incidentId, other?.reportedBy.badge, other?.state]).toEqual(['i2', 'J002', 'responding']);
  });

  it('leaves out an incident known only by the device’s own update of it, and keeps the server’s word once it has the step', () => {
    const updateOnly: IncidentEntry = { officerId: 'o1', incidentId: 'i3', recordId: '', reportedAt: '2026-11-30T02:00:00.000Z', report: null, steps: [] };
    expect(fieldIncidentList(me, [updateOnly], []).map((i) => i.incidentId)).toEqual([]);
    const caughtUp: IncidentDetailResponse = {
      ...pulled,
      incident: { ...pulled.incident, status: 'on-scene' },
      timeline: [
        ...pulled.timeline,
        {
          recordId: 'r-mine',
          kind: 'update',
          at: own.steps[0]!.at,
          by: { id: 'o1', badge: 'J001', name: '陈志强' },
          state: 'on-scene',
          handedTo: null,
          note: '已到场',
          injured: null,
          dead: null,
        },
      ],
    };
    const [incident] = fieldIncidentList(me, [own], [caughtUp]);
    expect(incident?.steps.filter((s) => s.pending)).toEqual([]);
    expect(incident?.steps).toHaveLength(3);
  });
});
