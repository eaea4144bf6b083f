import { describe, expect, it } from 'vitest';

import { searchCompanies, slugOf } from './companies';
import { profileUpdate } from './profile';
import { widgetBody } from './widgets';

describe('page logic', () => {
  it('turns the profile form into PUT /tenants/me, blanks clearing a field', () => {
    expect(
      profileUpdate({
        name: ' Acme ',
        email: 'help@acme.example',
        phone: '',
        website: ' https://acme.example ',
        logo_url: '',
        system_prompt: 'Be brief.',
        default_model: '',
        allowed_origins: 'https://shop.acme.example/\nhttps://acme.example',
        domains: 'Help.Acme.Example',
      }),
    ).toEqual({
      name: 'Acme',
      email: 'help@acme.example',
      phone: null,
      website: 'https://acme.example',
      logo_url: null,
      system_prompt: 'Be brief.',
      default_model: null,
      allowed_origins: ['https://shop.acme.example', 'https://acme.example'],
      domains: ['help.acme.example'],
    });
  });

  it('turns the widget form into its body, an empty logo as null', () => {
    expect(
      widgetBody({
        name: ' Shop ',
        allowed_origins: 'https://shop.example',
        title: 'Help',
        primary_color: '#b3261e',
        greeting: 'Hi',
        placeholder: 'Ask',
        logo_url: ' ',
        position: 'bottom-left',
        is_active: true,
      }),
    ).toEqual({
      name: 'Shop',
      allowed_origins: ['https://shop.example'],
      is_active: true,
      branding: {
        title: 'Help',
        primary_color: '#b3261e',
        greeting: 'Hi',
        placeholder: 'Ask',
        position: 'bottom-left',
        logo_url: null,
      },
    });
  });

  it('proposes a valid slug from a company name', () => {
    expect(slugOf('Acme Shop, Inc.')).toBe('acme-shop-inc');
    expect(slugOf('  Café Zürich ')).toBe('cafe-zurich');
    expect(slugOf('x'.repeat(80))).toHaveLength(63);
  });

  it('searches companies by name or slug, case-insensitively', () => {
    const tenants = [
      { name: 'Acme', slug: 'acme-1' },
      { name: 'Globex', slug: 'globex' },
    ] as unknown as Parameters<typeof searchCompanies>[0];
    expect(searchCompanies(tenants, 'GLO').map((t) => t.name)).toEqual(['Globex']);
    expect(searchCompanies(tenants, 'acme-1').map((t) => t.name)).toEqual(['Acme']);
    expect(searchCompanies(tenants, ' ')).toHaveLength(2);
  });
});
