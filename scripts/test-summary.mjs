// Prints the closing line CI reads ("N passed, N failed[, N skipped]") from
// vitest's JSON report, adding the checks (lint, typecheck, build) that failed
// before the tests ran.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, failedChecks = '0'] = process.argv.slice(2);
let passed = 0;
let failed = Number(failedChecks);
let skipped = 0;
if (reportPath && existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A file whose hooks or import failed has no failed test of its own (its tests are
  // skipped or absent), yet it failed: count it once.
  const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'));
  failed += brokenFiles.length;
  for (const file of brokenFiles) console.log(`test file failed to run: ${file.name}: ${(file.message ?? '').split('\n')[0]}`);
} else {
  console.log('no test report was written: the test run itself failed');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
