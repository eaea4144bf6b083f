#!/usr/bin/env node
// Adds the platform-specific optional packages that are missing from a
// package-lock.json (lockfileVersion 3), without changing any other entry.
//
// Usage: node scripts/complete-lockfile.mjs [path/to/package-lock.json] [--dry-run]
//
// For each package in the lockfile with optionalDependencies, every optional
// dependency that does not resolve (node_modules lookup up the tree) gets an
// entry in the shape npm writes for its installed siblings:
//   version, [integrity], cpu, os, libc, license, engines, flags (dev/optional/...)
// Metadata comes from `npm view <name>@<version> --json`. When the registry
// does not have that exact version (the case for darwin/win32/... binaries
// here), os/cpu/libc/license/engines are taken from the newest version of the
// same package that the registry does have (these fields do not change across
// versions of a platform package), and no integrity is written, since none can
// be verified. Such entries are never fetched on a machine whose platform does
// not match them, which is why `npm ci` accepts them.
//
// The file is written with npm's own serializer (json-stringify-nice with the
// lockfile key order), so `npm install` re-writes it byte for byte.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const lockPath = path.resolve(args.find((a) => !a.startsWith('--')) ?? 'package-lock.json');

const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
const requireNpm = createRequire(path.join(npmRoot, 'npm', 'node_modules', 'x.js'));
const stringify = requireNpm('json-stringify-nice');
const semver = requireNpm('semver');
// same key order as @npmcli/arborist/lib/shrinkwrap.js
const swKeyOrder = [
  'name',
  'version',
  'lockfileVersion',
  'resolved',
  'integrity',
  'requires',
  'packages',
  'dependencies',
];

const original = readFileSync(lockPath, 'utf8');
const lock = JSON.parse(original);
if (lock.lockfileVersion < 2 || !lock.packages) {
  throw new Error('needs lockfileVersion >= 2');
}
const eol = original.includes('\r\n') ? '\r\n' : '\n';
const serialize = (data) => stringify(data, swKeyOrder, 2).replace(/\n/g, eol);
if (serialize(lock) !== original) {
  throw new Error(
    "the lockfile does not round-trip through npm's serializer; refusing to rewrite it",
  );
}
const pkgs = lock.packages;

// where `name` resolves when required from the package at `loc` ('' = root)
function resolveFrom(loc, name) {
  let dir = loc;
  for (;;) {
    const cand = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (pkgs[cand]) {
      return cand;
    }
    if (!dir) {
      return null;
    }
    const i = dir.lastIndexOf('/node_modules/');
    dir = i === -1 ? '' : dir.slice(0, i);
  }
}

function npmViewJson(spec) {
  try {
    const out = execFileSync('npm', ['view', spec, '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const data = JSON.parse(out);
    return Array.isArray(data) ? data.at(-1) : data;
  } catch {
    return null;
  }
}

const FLAGS = ['dev', 'optional', 'devOptional', 'peer'];
const added = [];

for (const [loc, meta] of Object.entries(pkgs)) {
  const opt = meta.optionalDependencies;
  if (!opt || meta.link || meta.extraneous) {
    continue;
  }
  const missing = Object.keys(opt).filter((n) => !resolveFrom(loc, n));
  if (!missing.length) {
    continue;
  }

  // an installed sibling of the same parent shows where npm placed them and which flags they carry
  const siblingLoc = Object.keys(opt)
    .map((n) => resolveFrom(loc, n))
    .find(Boolean);
  const sibling = siblingLoc ? pkgs[siblingLoc] : null;

  for (const name of missing) {
    const spec = opt[name];
    const version = semver.valid(spec);
    if (!version) {
      console.warn(`skip ${name}@${spec} (required by ${loc}): not an exact version`);
      continue;
    }
    let target;
    if (siblingLoc) {
      const siblingName = Object.keys(opt).find((n) => resolveFrom(loc, n) === siblingLoc);
      target = siblingLoc.slice(0, siblingLoc.length - siblingName.length) + name;
    } else {
      target = `node_modules/${name}`; // hoisted, as npm does when nothing conflicts
    }
    if (pkgs[target] || resolveFrom(loc, name)) {
      console.warn(`skip ${name}: ${target} is taken`);
      continue;
    }

    let manifest = npmViewJson(`${name}@${version}`);
    let source = 'exact';
    if (!manifest || manifest.version !== version) {
      const versions = [].concat(npmViewJson(name)?.versions ?? []);
      const fallback =
        semver.maxSatisfying(versions, `<=${version}`) ??
        semver.minSatisfying(versions, `>${version}`);
      manifest = fallback ? npmViewJson(`${name}@${fallback}`) : null;
      source = fallback ? `metadata of ${fallback} (${version} not in the registry)` : null;
    }
    if (!manifest) {
      console.warn(`skip ${name}@${version}: not in the registry at all`);
      continue;
    }

    const entry = { version };
    if (source === 'exact' && manifest.dist?.integrity) {
      entry.integrity = manifest.dist.integrity;
    }
    for (const k of ['os', 'cpu', 'libc']) {
      const v = manifest[k];
      if (v && [].concat(v).length) {
        entry[k] = [].concat(v);
      }
    }
    if (manifest.license) {
      entry.license = manifest.license;
    }
    if (manifest.engines && Object.keys(manifest.engines).length) {
      entry.engines = manifest.engines;
    }
    if (source === 'exact') {
      if (manifest.dependencies && Object.keys(manifest.dependencies).length) {
        entry.dependencies = manifest.dependencies;
      }
      const s = manifest.scripts ?? {};
      if (s.install || s.preinstall || s.postinstall) {
        entry.hasInstallScript = true;
      }
    } else if (manifest.dependencies && Object.keys(manifest.dependencies).length) {
      console.warn(
        `skip ${name}@${version}: the fallback manifest has dependencies, cannot vouch for them`,
      );
      continue;
    }
    // flags: as the installed sibling, else derived from the parent
    const flagSource = sibling ?? { ...meta, optional: true };
    for (const f of FLAGS) {
      if (flagSource[f]) {
        entry[f] = true;
      }
    }
    if (!entry.optional && !entry.devOptional) {
      entry.optional = true;
    }

    pkgs[target] = entry;
    added.push({ target, version, from: loc, source, integrity: !!entry.integrity });
  }
}

for (const a of added) {
  console.log(
    `+ ${a.target}@${a.version}  (optional dep of ${a.from || 'root'}; ${a.source}${a.integrity ? '' : '; no integrity'})`,
  );
}
console.log(`${added.length} entries added`);
if (!dryRun && added.length) {
  writeFileSync(lockPath, serialize(lock));
}
