// How a saved card is named to its holder: the brand as people write it and the last four digits
// ("Visa •••• 4242"), from what the provider reports of the card. No other card data is kept.

const BRANDS: Record<string, string> = {
  amex: 'American Express',
  cartes_bancaires: 'Cartes Bancaires',
  diners: 'Diners Club',
  discover: 'Discover',
  eftpos_au: 'eftpos',
  interac: 'Interac',
  jcb: 'JCB',
  mastercard: 'Mastercard',
  unionpay: 'UnionPay',
  visa: 'Visa',
};

export function cardLabel(card: { brand: string; last4: string }): string {
  const brand = BRANDS[card.brand] ?? (card.brand === '' || card.brand === 'unknown' ? 'Card' : card.brand);
  return `${brand} •••• ${card.last4}`;
}
