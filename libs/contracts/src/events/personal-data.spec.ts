import { contractJsonSchema } from '../asyncapi/build-asyncapi';
import { EVENT_CONTRACTS } from './event-registry';

/**
 * Events are immutable and widely copied, so personal data stays out of them (STYLE.md 6,
 * ARCHITECTURE.md "Event sourcing"): a customer is a `customerId`, a place at most a region or
 * city code. Free text is refused too, since people type personal data into it.
 */
const PERSONAL_DATA =
  /e-?mail|phone|mobile|tel$|name|address|street|postcode|postal|zip|birth|gender|passport|idcard|national|iban|cardnumber|pan$|cvv|^ip|password|secret|token|comment|note|remark|message$|text$|latitude|longitude|geo/i;

/** Every property name in a JSON Schema, with its path. */
function propertyNames(schema: unknown, path = ''): { path: string; name: string }[] {
  if (Array.isArray(schema))
    return schema.flatMap((item, i) => propertyNames(item, `${path}[${i}]`));
  if (schema === null || typeof schema !== 'object') return [];
  const node = schema as Record<string, unknown>;
  const own = node.properties
    ? Object.keys(node.properties as object).map((name) => ({ path: `${path}.${name}`, name }))
    : [];
  return [
    ...own,
    ...Object.entries(node).flatMap(([key, child]) =>
      key === 'properties'
        ? Object.entries(child as object).flatMap(([name, sub]) =>
            propertyNames(sub, `${path}.${name}`),
          )
        : propertyNames(child, path),
    ),
  ];
}

describe('personal data in event contracts', () => {
  it('the walker finds nested property names', () => {
    const names = propertyNames({
      properties: { a: { items: { properties: { customerEmail: {} } } } },
    }).map((p) => p.path);
    expect(names).toEqual(['.a', '.a.customerEmail']);
    expect('customerEmail').toMatch(PERSONAL_DATA);
    expect('deliveryAddress').toMatch(PERSONAL_DATA);
    expect('recipientName').toMatch(PERSONAL_DATA);
  });

  it('no contract has a field named like personal data', () => {
    const offenders = EVENT_CONTRACTS.flatMap((contract) =>
      propertyNames(contractJsonSchema(contract))
        .filter(({ name }) => PERSONAL_DATA.test(name))
        .map(({ path }) => `${contract.type}.v${contract.version}${path}`),
    );
    expect(offenders).toEqual([]);
  });
});
