/**
 * What the one-time-code page needs from the page before it (the phone number, and whether this is
 * an enrolment or a login), kept in memory only: never in the URL, the history or storage. A
 * reload of that page starts again from the beginning.
 */
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

export interface Pending {
  readonly phone: string;
  readonly via: 'enrol' | 'login';
}

const Flow = createContext<{ pending?: Pending; setPending: (p: Pending | undefined) => void }>({
  setPending: () => undefined,
});

export function FlowProvider({ children }: { readonly children: ReactNode }) {
  const [pending, setPending] = useState<Pending | undefined>();
  const value = useMemo(() => ({ pending, setPending }), [pending]);
  return <Flow.Provider value={value}>{children}</Flow.Provider>;
}

export const useFlow = () => useContext(Flow);
