import { useEffect } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { homePath } from '../domain/roles.js';
import { TopBar } from './components/TopBar.js';
import { LiveController } from './controllers/LiveController.js';
import { SosController } from './controllers/SosController.js';
import { SyncController } from './controllers/SyncController.js';
import { TrackingController } from './controllers/TrackingController.js';
import { t } from './i18n/index.js';
import { LazyAdminScreen } from './screens/admin/LazyAdminScreen.js';
import { RoleHome } from './screens/home/RoleHome.js';
import { LoginScreen } from './screens/login/index.js';
import { PasswordChange } from './screens/login/PasswordChange.js';
import { LockScreen } from './screens/lock/index.js';
import { PinSetup } from './screens/lock/PinSetup.js';
import { LockController } from './controllers/LockController.js';
import { lockView } from './state/device-lock.js';
import { Compliance } from './screens/leader/Compliance.js';
import { Roster } from './screens/accounts/Roster.js';
import { Incidents } from './screens/leader/Incidents.js';
import { OpenShifts } from './screens/leader/OpenShifts.js';
import { LazyLiveSquad } from './screens/leader/LazyLiveSquad.js';
import { Lockdown } from './screens/leader/Lockdown.js';
import { TaskBoard } from './screens/leader/TaskBoard.js';
import { RouteAudit } from './screens/supervisor/RouteAudit.js';
import { LazySafetyIndex } from './screens/supervisor/LazySafetyIndex.js';
import { OfficerScreen } from './screens/officer/index.js';
import { RejectedScreen } from './screens/rejected/index.js';
import { online } from './state/network.js';
import { currentUser, sessionLoaded } from './state/session.js';

/** Paths a signed-in user may open besides their home. */
const SHARED_PATHS = ['/rejected'];

/** Sends a signed-in user to their role's home and a signed-out one to the login. */
function Routes() {
  const user = currentUser.value;
  const location = useLocation();
  const allowed = user ? [homePath(user.role), ...SHARED_PATHS] : ['/login'];
  const target = allowed.includes(location.path) ? location.path : (allowed[0] ?? '/login');
  useEffect(() => {
    if (location.path !== target) location.route(target, true);
  }, [location.path, target]);

  return (
    <Router>
      <Route path="/login" component={LoginScreen} />
      <Route path="/rejected" component={RejectedScreen} />
      <Route path="/:role" component={HomeRoute} />
      <Route default component={Empty} />
    </Router>
  );
}

function HomeRoute() {
  const user = currentUser.value;
  if (!user) return null;
  // After a one-time password, choosing one's own comes before anything else.
  if (user.mustChangePassword) {
    return (
      <main class="login">
        <PasswordChange forced />
      </main>
    );
  }
  if (user.role === 'officer') return <OfficerScreen user={user} />;
  if (user.role === 'leader' || user.role === 'supervisor') {
    return (
      <RoleHome user={user}>
        <LazyLiveSquad user={user} />
        {/* After the squad on the street, auditing routes is the supervisor's job; a leader's comes last. */}
        {user.role === 'supervisor' && <RouteAudit />}
        {/* Publishing the safety index is the supervisor's (leaders may read it through the API). */}
        {user.role === 'supervisor' && <LazySafetyIndex />}
        <Lockdown />
        <TaskBoard />
        <Incidents />
        <OpenShifts />
        <Compliance />
        {user.role === 'leader' && <RouteAudit />}
        <Roster />
      </RoleHome>
    );
  }
  if (user.role === 'admin') {
    return (
      <RoleHome user={user}>
        <LazyAdminScreen />
      </RoleHome>
    );
  }
  return <RoleHome user={user} />;
}

function Empty() {
  return null;
}

/** The screen under the top bar: the lock (issue 16) while it is on, else the routes. */
function Screen() {
  const view = lockView.value;
  if (!sessionLoaded.value) return <p class="loading">{t('app.loading')}</p>;
  if (view.kind === 'set-pin') return <PinSetup view={view} />;
  // The routes are not rendered behind the lock: hidden means absent. The controllers above
  // them keep the patrol and the outbox going while the data key is held.
  if (view.kind !== 'open') return <LockScreen view={view} />;
  return <Routes />;
}

export function App() {
  return (
    <LocationProvider>
      <SyncController />
      <LiveController />
      <TrackingController />
      <SosController />
      <LockController />
      <TopBar />
      {!online.value && currentUser.value && lockView.value.kind === 'open' && <p class="offline-banner">{t('net.offlineNotice')}</p>}
      <Screen />
    </LocationProvider>
  );
}
