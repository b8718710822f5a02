// The window's layout: sidebar on the left, the current screen on the right.
import { Sidebar } from './components/Sidebar';
import { BookingEditorScreen } from './screens/BookingEditorScreen';
import { BookingListScreen } from './screens/BookingListScreen';
import { OutboxScreen } from './screens/OutboxScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { useNavigation } from './store';

export function App() {
  const screen = useNavigation((state) => state.screen);
  const visit = useNavigation((state) => state.visit);

  return (
    <div className="app">
      <Sidebar />
      <main className="content" data-testid={`screen-${screen.name}`}>
        {screen.name === 'bookings' ? <BookingListScreen key={visit} /> : null}
        {screen.name === 'outbox' ? <OutboxScreen key={visit} /> : null}
        {screen.name === 'settings' ? <SettingsScreen key={visit} /> : null}
        {screen.name === 'booking' ? (
          <BookingEditorScreen key={visit} bookingId={screen.bookingId} />
        ) : null}
      </main>
    </div>
  );
}
