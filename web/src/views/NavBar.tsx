// The navigation bar: Buy IO Credits, the balance chip and the Notification Center (SPEC §7).

import { useEffect, useRef, useState } from 'react';
import { Link, NavLink } from 'react-router';
import { useBalance, useMarkRead, useNotifications } from '../api/queries';
import { useAuth } from '../auth';
import { Amount, DateTime, ErrorState, Loading } from '../components/ui';
import { BuyDialog } from './BuyDialog';

export function NavBar() {
  const { session, isFinance, signOut } = useAuth();
  const [buying, setBuying] = useState(false);
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            IO
          </span>
          IO Credits
        </Link>
        <nav aria-label="Main" className="nav-links">
          <NavLink to="/" end>
            Usage &amp; Billing
          </NavLink>
          <NavLink to="/settings">Settings</NavLink>
          {isFinance ? <NavLink to="/finance">Finance</NavLink> : null}
        </nav>
        <div className="nav-actions">
          <button type="button" className="btn btn-primary" onClick={() => setBuying(true)}>
            Buy IO Credits
          </button>
          <BalanceChip />
          <NotificationCenter />
          <button
            type="button"
            className="btn btn-small"
            onClick={() => signOut('user')}
            title={session ? `Signed in as ${session.name} (${session.sub})` : undefined}
          >
            Sign out
          </button>
        </div>
      </div>
      <BuyDialog open={buying} onClose={() => setBuying(false)} />
    </header>
  );
}

function BalanceChip() {
  const balance = useBalance();
  if (!balance.data)
    return (
      <span className="chip" aria-label="Balance loading">
        …
      </span>
    );
  return (
    <Link to="/" className="chip" aria-label={`Balance: ${balance.data.balance} credits`}>
      <Amount value={balance.data.balance} />
    </Link>
  );
}

/** The bell with the unread count; opens the notifications, newest first, each marked read on demand. */
function NotificationCenter() {
  const notifications = useNotifications();
  const markRead = useMarkRead();
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const unread = notifications.data?.items.filter((n) => !n.read).length ?? 0;

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !panel.current?.parentElement?.contains(event.target as Node)
      ) {
        setOpen(false);
        if (event instanceof KeyboardEvent) button.current?.focus();
      }
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  return (
    <div className="popover">
      <button
        ref={button}
        type="button"
        className="btn"
        aria-expanded={open}
        aria-controls="notification-center"
        aria-label={`Notification Center${unread ? `, ${unread} unread` : ''}`}
        onClick={() => setOpen((value) => !value)}
      >
        <svg
          width="18"
          height="18"
          viewBox="0 0 24 24"
          aria-hidden="true"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {unread ? <span className="bell-count">{unread}</span> : null}
      </button>
      {open ? (
        <div
          ref={panel}
          id="notification-center"
          className="popover-panel"
          role="region"
          aria-label="Notification Center"
        >
          <div className="panel-head">
            <h2>Notification Center</h2>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                setOpen(false);
                button.current?.focus();
              }}
            >
              Close
            </button>
          </div>
          {notifications.isPending ? <Loading label="Loading notifications…" /> : null}
          {notifications.isError ? (
            <ErrorState error={notifications.error} retry={() => void notifications.refetch()} />
          ) : null}
          {notifications.data && notifications.data.items.length === 0 ? (
            <p className="muted">Nothing yet. Purchases, refunds, withdrawals and expiring credits show up here.</p>
          ) : null}
          {notifications.data?.items.map((n) => (
            <article key={n.notificationId} className={`notification${n.read ? '' : ' unread'}`}>
              <p>{n.message}</p>
              <div className="pager">
                <span className="small muted">
                  <DateTime iso={n.createdAt} />
                </span>
                {n.read ? (
                  <span className="small muted">Read</span>
                ) : (
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => markRead.mutate(n.notificationId)}
                    disabled={markRead.isPending}
                  >
                    Mark read
                  </button>
                )}
              </div>
            </article>
          ))}
        </div>
      ) : null}
    </div>
  );
}
