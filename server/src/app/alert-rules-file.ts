import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { parseAlertRules, type AlertRule } from '../domain/alerts/rule.js';

/** ALERT_RULES_FILE: YAML (or JSON, which YAML reads too), a list of rules or `{ rules: [...] }`. */
export function loadRulesFile(file: string): AlertRule[] {
  try {
    const body: unknown = YAML.parse(readFileSync(file, 'utf8'));
    return parseAlertRules(typeof body === 'object' && body !== null && 'rules' in body ? body.rules : body);
  } catch (error) {
    throw new Error(`ALERT_RULES_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
