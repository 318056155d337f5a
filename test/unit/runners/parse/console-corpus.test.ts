import { describe, expect, it } from 'vitest';
import {
  evaluateSyzbotReports,
  evaluateSyzkallerCorpus,
  formatFigures,
  loadSyzkallerCorpus,
  syzkallerReportDir,
} from '../../../bench/console.ts';
import { existsSync } from 'node:fs';

describe.skipIf(!existsSync(syzkallerReportDir))('console analysis on syzkaller report corpus', () => {
  it('meets the detection and title goals', () => {
    const figures = evaluateSyzkallerCorpus(loadSyzkallerCorpus());
    console.log(formatFigures(figures));
    expect(figures.files).toBeGreaterThan(300);
    expect(figures.detectionRate).toBeGreaterThanOrEqual(0.95);
    expect(figures.titleRate).toBeGreaterThanOrEqual(0.85);
  }, 120_000);

  it('gives syzbot titles for the syzbot reports of the nvdimm list', () => {
    const s = evaluateSyzbotReports();
    if (s === null) return;
    console.log(`syzbot reports: ${s.matched}/${s.reports} titles equal syzbot's`);
    expect(s.rate).toBeGreaterThanOrEqual(0.75);
  });
});
