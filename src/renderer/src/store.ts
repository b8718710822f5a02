// Which screen is open and which booking is selected; also whether a form holds unsaved input,
// so that leaving it asks first instead of silently dropping what the agent typed.
import { create } from 'zustand';
import i18next from 'i18next';

export type Screen =
  | { name: 'bookings' }
  | { name: 'outbox' }
  | { name: 'settings' }
  /** `bookingId` null: a new booking that has not been saved yet. */
  | { name: 'booking'; bookingId: number | null };

interface NavigationState {
  screen: Screen;
  /** Counts every navigation, so a screen opened again starts fresh. */
  visit: number;
  unsaved: boolean;
  /** Opens `screen`; returns false when the agent chose to stay with unsaved input. */
  navigate: (screen: Screen) => boolean;
  setUnsaved: (unsaved: boolean) => void;
  /** A new booking got its id on its first save: it stays open, now as that booking. */
  bookingSaved: (bookingId: number) => void;
}

export const useNavigation = create<NavigationState>()((set, get) => ({
  screen: { name: 'bookings' },
  visit: 0,
  unsaved: false,

  navigate: (screen) => {
    if (get().unsaved && !window.confirm(i18next.t('app.unsavedChanges'))) return false;
    set((state) => ({ screen, visit: state.visit + 1, unsaved: false }));
    return true;
  },

  setUnsaved: (unsaved) => set({ unsaved }),

  bookingSaved: (bookingId) => {
    const { screen } = get();
    if (screen.name === 'booking') set({ screen: { name: 'booking', bookingId } });
  },
}));
