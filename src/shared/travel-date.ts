// The travel date of a booking: the earliest start date among its services.

export interface DatedService {
  startDate: string;
}

/** Earliest service start date (`yyyy-mm-dd`), or null for a booking without services. */
export function travelDate(services: readonly DatedService[]): string | null {
  let earliest: string | null = null;
  for (const service of services) {
    // ISO dates sort correctly as strings.
    if (earliest === null || service.startDate < earliest) earliest = service.startDate;
  }
  return earliest;
}
