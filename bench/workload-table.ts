/** The workload's VRPs as a VrpTable (in the workload's shuffled order, as a feed would give them). */
import { VrpTable, VrpTableBuilder } from '../src/rpki/vrp-table.js';
import { TRUST_ANCHORS, type VrpArrays } from './workload.js';

export function vrpTableOf(v: VrpArrays, order?: Uint32Array): VrpTable {
  const b = new VrpTableBuilder();
  for (let n = 0; n < v.count; n++) {
    const i = order === undefined ? n : order[n]!;
    const k = i * 4;
    b.addFields(v.afi[i] === 4 ? 4 : 6, v.words[k]!, v.words[k + 1]!, v.words[k + 2]!, v.words[k + 3]!, v.length[i]!, v.maxLength[i]!, v.asn[i]!, TRUST_ANCHORS[v.ta[i]!]!);
  }
  return b.build();
}
