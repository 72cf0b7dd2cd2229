import { parseHttpFunctionsConfig } from '../../../../../src/engine/workers/http-functions/config';
import { globToRegExp, isPrivateAddress, UrlPolicy, type Resolver } from '../../../../../src/engine/workers/http-functions/url-policy';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function policy(security: Record<string, unknown>, resolver: Resolver = async () => ['93.184.216.34']): UrlPolicy {
  return new UrlPolicy(parseHttpFunctionsConfig({ security }, quiet).security, resolver);
}

describe('parseHttpFunctionsConfig', () => {
  it('defaults to any host, https only, private addresses blocked', () => {
    expect(parseHttpFunctionsConfig({}, quiet).security).toEqual({ urlAllowlist: ['*'], blockPrivateIps: true, requireHttps: true });
  });

  it('treats an empty allowlist as ["*"]', () => {
    expect(parseHttpFunctionsConfig({ security: { url_allowlist: [] } }, quiet).security.urlAllowlist).toEqual(['*']);
  });

  it.each([
    [{ security: 'open' }],
    [{ security: { url_allowlist: 'localhost' } }],
    [{ security: { block_private_ips: 'no' } }],
    [{ security: { require_https: 0 } }],
  ])('refuses %j with config_invalid', (config) => {
    expect(() => parseHttpFunctionsConfig(config, quiet)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});

describe('globToRegExp', () => {
  it.each([
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'example.com', false],
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127a0b0c1', false],
    ['host-?', 'host-1', true],
    ['host-[ab]', 'host-b', true],
    ['host-[!ab]', 'host-b', false],
    ['host-[ab', 'host-[ab', true],
  ])('%s matches %s → %s', (glob, host, expected) => {
    expect(globToRegExp(glob).test(host)).toBe(expected);
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.1.1',
    '0.0.0.0',
    '255.255.255.255',
    '192.0.2.5',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
  ])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '1.1.1.1', '2001:4860:4860::8888', '::ffff:808:808'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('UrlPolicy.check', () => {
  it('accepts an https URL on an allowed public host', async () => {
    await expect(policy({}).check('https://api.example.com/hook')).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['not a url', 'Invalid URL'],
    ['ftp://example.com/x', 'unsupported scheme'],
    ['http://example.com/x', 'HTTPS is required'],
    ['https://127.0.0.1/x', 'Private IP blocked'],
    ['https://[::1]/x', 'Private IP blocked'],
    ['https://[::ffff:127.0.0.1]/x', 'Private IP blocked'],
  ])('refuses %s (%s)', async (url, reason) => {
    await expect(policy({}).check(url)).rejects.toMatchObject({ code: 'url_validation_failed', message: expect.stringContaining(reason) });
  });

  it('refuses hosts outside the allowlist', async () => {
    await expect(policy({ url_allowlist: ['*.example.com'] }).check('https://evil.com/')).rejects.toMatchObject({
      message: 'URL not in allowlist: evil.com',
    });
  });

  it('refuses a host name that resolves to a private address', async () => {
    const p = policy({}, async () => ['93.184.216.34', '10.0.0.8']);
    await expect(p.check('https://rebind.example.com/')).rejects.toMatchObject({ message: 'Private IP blocked: rebind.example.com' });
  });

  it('refuses a host name that does not resolve', async () => {
    const p = policy({}, async () => {
      throw new Error('ENOTFOUND');
    });
    await expect(p.check('https://nowhere.invalid/')).rejects.toMatchObject({ message: 'DNS lookup failed: nowhere.invalid' });
  });

  it('allows loopback over http when both checks are off', async () => {
    const p = policy({ url_allowlist: ['localhost', '127.0.0.1'], block_private_ips: false, require_https: false });
    await expect(p.check('http://127.0.0.1:9/x')).resolves.toBeInstanceOf(URL);
    await expect(p.check('http://LOCALHOST:9/x')).resolves.toBeInstanceOf(URL);
  });
});

describe('UrlPolicy.connectLookup', () => {
  it('is not installed when private addresses are allowed', () => {
    expect(policy({ block_private_ips: false }).connectLookup()).toBeUndefined();
  });

  it('refuses to connect to a name that resolves to a private address at connect time', async () => {
    const lookup = policy({}).connectLookup()!;
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', { all: true }, (err) => resolve(err)));
    expect(error).toMatchObject({ code: 'EPRIVATEADDRESS', message: 'Private IP blocked: localhost' });
  });
});
