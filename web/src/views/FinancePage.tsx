// The frame of Finance's pages (credits:admin): the withdrawals and grants, Accounts (support's
// view of one account) and the Audit log (SPEC §14), with the links between them.

import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useAuth } from '../auth';
import { Alert } from '../components/ui';

export function FinancePage({ title, children }: { title: string; children: ReactNode }) {
  const { isFinance } = useAuth();
  if (!isFinance) {
    return (
      <main id="main">
        <Alert tone="error" title="Finance only">
          This page is for the finance team (the credits:admin scope).
        </Alert>
      </main>
    );
  }
  return (
    <main id="main">
      <div className="page-head">
        <h1>{title}</h1>
        <nav aria-label="Finance" className="nav-links">
          <NavLink to="/finance" end>
            Withdrawals &amp; grants
          </NavLink>
          <NavLink to="/finance/accounts">Accounts</NavLink>
          <NavLink to="/finance/audit">Audit log</NavLink>
        </nav>
      </div>
      {children}
    </main>
  );
}
