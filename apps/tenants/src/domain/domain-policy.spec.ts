import { describe, expect, it } from '@jest/globals';

import { DomainError } from '@tenantbot/contracts';

import { DomainPolicy } from './domain-policy';

const policy = DomainPolicy.fromConfig({
  PUBLIC_URL: 'https://API.tenantbot.io:8443/base',
  RESERVED_HOSTS: ['console.tenantbot.io'],
});

function refusal(domain: string, claimant: 'super_admin' | 'tenant_admin') {
  try {
    policy.check([domain], claimant);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).toBody();
  }
}

describe('DomainPolicy', () => {
  it.each([
    ['co.uk', 'public_suffix'],
    ['github.io', 'public_suffix'],
    ['blogspot.com', 'public_suffix'],
    ['api.tenantbot.io', 'reserved'],
    ['console.tenantbot.io', 'reserved'],
  ])('refuses %s to everyone (%s)', (domain, reason) => {
    for (const claimant of ['super_admin', 'tenant_admin'] as const) {
      expect(refusal(domain, claimant)).toMatchObject({
        code: 'DOMAIN_NOT_ALLOWED',
        details: { domains: [{ domain, reason }] },
      });
    }
  });

  it('refuses subdomains of the platform’s hosts to tenant admins only', () => {
    expect(refusal('acme.api.tenantbot.io', 'tenant_admin')).toMatchObject({
      details: { domains: [{ reason: 'reserved' }] },
    });
    expect(refusal('acme.api.tenantbot.io', 'super_admin')).toBeNull();
    // A look-alike is not a subdomain.
    expect(refusal('evilapi.tenantbot.io', 'tenant_admin')).toBeNull();
  });

  it('allows registrable domains and their subdomains, under any public suffix', () => {
    for (const domain of ['acme.com', 'chat.acme.co.uk', 'acme.github.io', 'tenantbot.io']) {
      expect(refusal(domain, 'tenant_admin')).toBeNull();
    }
  });

  it('names every refused domain of a list at once', () => {
    expect(() => policy.check(['acme.com', 'co.uk', 'api.tenantbot.io'], 'tenant_admin')).toThrow(
      /co\.uk \(public_suffix\), api\.tenantbot\.io \(reserved\)/,
    );
  });
});
