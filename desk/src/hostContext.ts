/** The connected host for pages shown before sign-in (the dev theme switch needs it). */
import { createContext } from 'react';
import type { Host } from './host';

export const HostContext = createContext<Host | null>(null);
