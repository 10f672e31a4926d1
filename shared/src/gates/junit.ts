/**
 * A check report as JUnit XML, the format CI systems (GitHub, GitLab, Jenkins) show as test results:
 * one <testsuite> per check, one <testcase> per gate; a failed gate is a <failure>, a gate that could
 * not run an <error>. Written by hand: the format is a few elements, and every text is escaped.
 */
import { type CheckReport } from '../../../schemas/src/gates';
import { fmt } from './rules';

function esc(s: string): string {
  // XML 1.0 allows no control characters other than tab, LF and CR, even escaped.
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const num = (v: number | null): string => (v === null ? '-' : fmt(v));

export function junitXml(r: CheckReport): string {
  const failures = r.gates.filter((g) => g.status === 'fail').length;
  const errors = r.gates.filter((g) => g.status === 'error').length;
  const suite = `mlops check ${r.model}${r.candidate_version === null ? '' : ` v${r.candidate_version}`}`;
  const cases = r.gates.map((g) => {
    const head = `    <testcase classname="${esc(`gates.${r.model}`)}" name="${esc(g.name)}" time="0">`;
    const summary = `candidate ${num(g.candidate)}, Production ${num(g.production)}, rule: ${g.rule}`;
    const body =
      g.status === 'fail'
        ? `      <failure message="${esc(`${g.name} failed: ${summary}`)}" type="gate">${esc(g.detail)}</failure>\n`
        : g.status === 'error'
          ? `      <error message="${esc(`${g.name} could not run: ${g.detail}`)}" type="cannot_run">${esc(g.detail)}</error>\n`
          : `      <system-out>${esc(`${summary}; ${g.detail}`)}</system-out>\n`;
    return `${head}\n${body}    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mlops gates" tests="${r.gates.length}" failures="${failures}" errors="${errors}" time="${r.seconds.toFixed(3)}">`,
    `  <testsuite name="${esc(suite)}" tests="${r.gates.length}" failures="${failures}" errors="${errors}" skipped="0" time="${r.seconds.toFixed(3)}" timestamp="${esc(r.evaluated_at)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** The check as a Markdown table, for a CI job summary ($GITHUB_STEP_SUMMARY). */
export function checkMarkdown(r: CheckReport): string {
  const head = `### mlops check ${r.model}${r.candidate_version === null ? '' : ` v${r.candidate_version}`}: ${r.passed ? 'passed' : r.exit_code === 2 ? 'a gate could not run' : 'failed'}\n\n`;
  const rows = r.gates.map((g) => `| ${g.name} | ${num(g.candidate)} | ${num(g.production)} | ${g.rule.replace(/\|/g, '\\|')} | ${g.status === 'pass' ? 'pass' : g.status === 'fail' ? '**FAIL**' : '**cannot run**'} |`);
  const notes = r.gates.filter((g) => g.measurements?.length).map((g) => `- ${g.name}: ${g.detail}\n`);
  return head + ['| gate | candidate | Production | rule | result |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n' + (notes.length ? `\n${notes.join('')}` : '');
}
