// The one table of image names and tags. Every parser of names must give these verdicts:
// the reference module (test/reference/reference.test.ts), every transport of the CLI and
// `longshore lock` (test/dest/parse.test.ts), and buildImage, both its Nix evaluation
// (nix/reference.nix) and the build's own check (test/e2e/names.test.ts).
//
// Entries are chosen so that NAME and NAME:TAG read the same: none has a ":" or "@" after its
// last "/" (such a name would parse as NAME:TAG or NAME@DIGEST where a name alone is expected).

export interface NameCase {
  name: string;
  valid: boolean;
}

export interface TagCase {
  tag: string;
  /** A valid tag: docker://, docker-daemon:, podman:, docker-archive:, lock and buildImage take it. */
  valid: boolean;
  /**
   * oci:DIR:TAG and oci-archive:FILE:TAG take it: a valid tag that is also an OCI
   * org.opencontainers.image.ref.name (which skopeo and umoci check when reading oci:DIR:REF).
   */
  oci: boolean;
}

const n = (valid: boolean, ...names: string[]): NameCase[] => names.map((name) => ({ name, valid }));

export const NAMES: NameCase[] = [
  ...n(
    true,
    'app',
    'team__app',
    'team--app',
    'a__b--c',
    'a---b',
    'a.b_c-d',
    'team/app',
    'team/sub/app',
    'localhost',
    'localhost/app',
    'localhost:5000/a/b/c',
    'Registry.Example:5000/app',
    'registry.example.com/org/team/app',
    'REGISTRY.EXAMPLE/app',
    'my-registry.example/a--b/c__d',
    '127.0.0.1:5000/x',
    '[::1]:5000/x',
    '[::1]/x',
    '[2001:db8::1]:443/team/app',
    'docker.io/library/debian',
    'index.docker.io/app',
    'a'.repeat(255),
    'registry.example:5000/' + 'a'.repeat(233), // 255 characters with the host
  ),
  ...n(
    false,
    '',
    'MyApp',
    'myApp',
    'Team/app',
    'team/App',
    'Registry.Example:5000/My_App',
    'localhost:5000/App',
    'a_-b',
    'a-_b',
    'a..b',
    'a._b',
    '.a',
    '_a',
    '-a',
    'a-',
    'a_',
    'a.',
    'a___b',
    'a//b',
    'a/',
    '/a',
    'localhost:5000/',
    'Hello World',
    'a b',
    'café',
    'a+b',
    'registry_x.example/app',
    '-registry.example/app',
    'registry-.example/app',
    'registry..example/app',
    'registry.example:port/app',
    'registry.example:/app',
    '[::1/x',
    '[::1]x/y',
    '[fe80::1%eth0]/x',
    'a'.repeat(256),
    'registry.example:5000/' + 'a'.repeat(234), // 256 characters with the host
  ),
];

const t = (valid: boolean, oci: boolean, ...tags: string[]): TagCase[] => tags.map((tag) => ({ tag, valid, oci }));

export const TAGS: TagCase[] = [
  ...t(true, true, 'v1', 'v1.0', 'latest', '1', 'A-b.C_d', 'V1.2.3-rc.1', 'a--b', 'a'.repeat(128)),
  // Valid tags outside the OCI ref.name grammar: a leading "_", a trailing or doubled separator.
  ...t(true, false, '_x', '__', 'a_', 'a-', 'a.', 'a__b', 'a..b', 'a-.b', 'a---b'),
  ...t(false, false, '', '-v', '.v', 'a+b', 'a/b', 'a b', 'é', 'a'.repeat(129), 'v1@x'),
];
