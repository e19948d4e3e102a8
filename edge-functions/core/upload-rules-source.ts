/**
 * Where DEFAULT_UPLOAD_RULES comes from. This file is what runs under ts-jest
 * and what the type checkers see; every bundle replaces it with the rules the
 * build validated, as plain data (scripts/lib/upload-rules.mjs resolves this
 * module to `export const UPLOAD_RULES_DATA = {...}`), so neither the
 * validator nor the `yaml` package ever reaches the edge or the browser.
 *
 * Here the rules file is read and validated through the same validator the
 * build uses, at first import. `require` and `__dirname` are declared locally
 * rather than taken from Node's types because the site's type check (DOM, no
 * Node types) sees this file too.
 */
import type { UploadRules } from './upload-rules';

declare const require: (id: string) => unknown;
declare const __dirname: string;

const validator = require('../upload-rules-file') as { loadUploadRules(path: string): UploadRules };

export const UPLOAD_RULES_DATA: UploadRules = validator.loadUploadRules(`${__dirname}/../upload-rules.yaml`);
