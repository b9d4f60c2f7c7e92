"""What a plan holds: its changes, its money before and after, its analysis before and the findings after."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, TypeVar

from psninv.analysis.costs import pounds, tenant_annual_costs
from psninv.analysis.finding import Finding, Kind, Severity
from psninv.analysis.result import Analysis
from psninv.analysis.verified import with_planned
from psninv.inventory import Inventory


@dataclass(slots=True)
class PlanChange:
    """One line of the plan: a circuit added, ceased, re-homed or upgraded, its £ a year and why."""

    action: str
    """"add", "cease", "re-home", "upgrade", or "in service" (a circuit already planned in the inventory)."""
    circuit: str
    a_site: str
    b_site: str
    annual_gbp: float | None
    """What it changes the annual bill by: positive for spend, negative for a saving (None: unknown)."""
    tenant: str
    """Who pays (the circuit's payer, as the tenant cost function books it)."""
    reason: str
    source: str
    """The finding it comes from ("remedy" for a link the verified remedies added)."""
    clears: list[str] = field(default_factory=list)
    """Findings of the network before that the network after no longer has, which this change is for."""

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "action": self.action,
            "circuit": self.circuit,
            "a_site": self.a_site,
            "b_site": self.b_site,
            "annual_gbp": self.annual_gbp,
            "tenant": self.tenant,
            "reason": self.reason,
            "source": self.source,
            "clears": list(self.clears),
        }


@dataclass(slots=True)
class TenantMoney:
    """One tenant's annual circuit bill before and after the plan."""

    before_gbp: int
    after_gbp: int

    @property
    def change_gbp(self) -> int:
        """After less before: negative is a saving."""
        return self.after_gbp - self.before_gbp

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {"before_gbp": self.before_gbp, "after_gbp": self.after_gbp, "change_gbp": self.change_gbp}


@dataclass(slots=True)
class PlanTotals:
    """The plan's money: the bill before and after, what it spends, what it saves, and the net."""

    annual_before_gbp: int | None
    """Today's bill (None: no active circuit has a cost, so it is unknown, not zero)."""
    annual_after_gbp: int | None
    spend_gbp: int
    """New circuits and upgrades, a year."""
    remedy_spend_gbp: int
    """The part of the spend that brings sites up to policy (remedy links and capacity upgrades)."""
    savings_gbp: int
    """The rental of the circuits the sharing taken ceases, a year."""
    committed_gbp: int = 0
    """Circuits the inventory already has as planned, a year: in the after-state, not the plan's spend."""

    @property
    def net_gbp(self) -> int:
        """What the plan saves a year, net of what it spends: positive when it saves money overall."""
        if self.annual_before_gbp is None or self.annual_after_gbp is None:
            return self.savings_gbp - self.spend_gbp - self.committed_gbp
        return self.annual_before_gbp - self.annual_after_gbp

    @property
    def net_pct(self) -> float | None:
        """The net as a percentage of the bill before."""
        return round(100 * self.net_gbp / self.annual_before_gbp, 1) if self.annual_before_gbp else None

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "annual_before_gbp": self.annual_before_gbp,
            "annual_after_gbp": self.annual_after_gbp,
            "spend_gbp": self.spend_gbp,
            "remedy_spend_gbp": self.remedy_spend_gbp,
            "savings_gbp": self.savings_gbp,
            "committed_gbp": self.committed_gbp,
            "net_gbp": self.net_gbp,
            "net_pct": self.net_pct,
        }


G = TypeVar("G", bound="Graded")


class Graded(Protocol):
    """Anything with a severity and what it touches: a Finding, or a FindingRef of the network after."""

    @property
    def severity(self) -> Severity: ...
    @property
    def sites(self) -> Sequence[str]: ...
    @property
    def links(self) -> Sequence[str]: ...
    @property
    def tenants(self) -> Sequence[str]: ...


def severity_counts(findings: Iterable[G], keep: Callable[[G], bool] | None = None) -> dict[str, int]:
    """How many findings of each severity, worst first (only those `keep` accepts, if given)."""
    counts = dict.fromkeys((s.value for s in Severity), 0)
    for finding in findings:
        if keep is None or keep(finding):
            counts[finding.severity.value] += 1
    return counts


class FindingRef(NamedTuple):
    """A finding as a plan's readers see the network after it: what it is, how bad, and what it touches."""

    id: str
    kind: Kind
    severity: Severity
    sites: Sequence[str]
    links: Sequence[str]
    tenants: Sequence[str]


@dataclass(frozen=True, slots=True)
class AfterFindings:
    """The findings of the network with the plan applied, as much of each as the plan is read for.

    Everything that reads a plan counts these (by severity, by kind, by who they touch) or asks
    which findings are gone; none shows their titles, impacts or remedies. Kept this way a plan of
    a 100k-site network holds about 300 bytes a finding after it instead of about 2.6 KB.
    """

    refs: tuple[FindingRef, ...] = ()

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> AfterFindings:
        """The digest of an analysis's findings."""
        return cls(
            tuple(
                FindingRef(f.id, f.kind, f.severity, tuple(f.sites), tuple(f.links), tuple(f.tenants))
                for f in findings
            )
        )

    def __len__(self) -> int:
        return len(self.refs)

    def __iter__(self) -> Iterator[FindingRef]:
        return iter(self.refs)

    def ids(self) -> set[str]:
        """The IDs of every finding after the plan."""
        return {ref.id for ref in self.refs}

    def severity_counts(self, keep: Callable[[FindingRef], bool] | None = None) -> dict[str, int]:
        """How many findings of each severity, worst first (only those `keep` accepts, if given)."""
        return severity_counts(self.refs, keep)

    def count(self, kind: Kind) -> int:
        """How many findings of one kind."""
        return sum(1 for ref in self.refs if ref.kind is kind)


@dataclass(slots=True)
class Plan:
    """The whole plan: its changes, the network with them applied, its analysis before, its findings after."""

    changes: list[PlanChange]
    after: Inventory
    """The inventory with the plan applied (new circuits planned): what importing its workbook gives."""
    before_analysis: Analysis
    after_findings: AfterFindings
    """The analysis of `after`, digested: the plan is read for its counts, never its findings' words."""
    totals: PlanTotals
    by_tenant: dict[str, TenantMoney]
    taken: list[str]
    """IDs of the sharing findings the plan takes."""
    left: dict[str, str]
    """Sharing findings of the cash kinds it does not take, with the reason."""
    unfixable: list[str]
    """Sites no verified remedy within reach brings up to policy (with the reason)."""
    method: str
    tenant: str | None = None

    def severity_counts(self, which: str) -> dict[str, int]:
        """Findings by severity, "before" or "after" the plan."""
        if which == "after":
            return self.after_findings.severity_counts()
        return severity_counts(self.before_analysis.findings)

    def critical_closed(self) -> int:
        """Critical findings before that the after-state no longer has."""
        after = self.after_findings.ids()
        return sum(
            1 for f in self.before_analysis.findings if f.severity is Severity.CRITICAL and f.id not in after
        )

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data."""
        return {
            "tenant": self.tenant,
            "method": self.method,
            "totals": self.totals.to_dict(),
            "findings": {"before": self.severity_counts("before"), "after": self.severity_counts("after")},
            "critical_closed": self.critical_closed(),
            "below_policy_after": self.after_findings.count(Kind.BELOW_POLICY),
            "by_tenant": {code: money.to_dict() for code, money in sorted(self.by_tenant.items())},
            "changes": [change.to_dict() for change in self.changes],
            "taken": list(self.taken),
            "left": dict(self.left),
            "unfixable": list(self.unfixable),
        }


def plan_money(
    inventory: Inventory, after: Inventory, changes: list[PlanChange], tenant: str | None = None
) -> tuple[PlanTotals, dict[str, TenantMoney]]:
    """The plan's totals and each tenant's bill before and after, costed from the two inventories."""
    costs_before = tenant_annual_costs(inventory)
    costs_after = tenant_annual_costs(with_planned(after))
    by_tenant = {
        code: TenantMoney(
            pounds(costs_before.get(code, Decimal(0))), pounds(costs_after.get(code, Decimal(0)))
        )
        for code in sorted(set(costs_before) | set(costs_after))
    }
    if tenant is not None:
        by_tenant = {code: money for code, money in by_tenant.items() if code == tenant}
    ours = [c for c in changes if c.source != "inventory"]
    committed = sum(c.annual_gbp or 0.0 for c in changes if c.source == "inventory")
    spend = sum(c.annual_gbp for c in ours if c.annual_gbp and c.annual_gbp > 0)
    remedy_spend = sum(
        c.annual_gbp for c in changes if c.annual_gbp and c.annual_gbp > 0 and c.source == "remedy"
    )
    savings = -sum(c.annual_gbp for c in ours if c.annual_gbp and c.annual_gbp < 0)
    before_total: int | None
    after_total: int | None
    if not any(row.get("annual_cost_gbp") is not None for row in with_planned(after).links.values()):
        before_total = after_total = None  # nothing is costed: the bill is unknown, not £0
    elif tenant is None:
        before_total = pounds(sum(costs_before.values(), Decimal(0)))
        after_total = pounds(sum(costs_after.values(), Decimal(0)))
    else:
        before_total = by_tenant.get(tenant, TenantMoney(0, 0)).before_gbp
        after_total = by_tenant.get(tenant, TenantMoney(0, 0)).after_gbp
    totals = PlanTotals(
        annual_before_gbp=before_total,
        annual_after_gbp=after_total,
        spend_gbp=round(spend),
        remedy_spend_gbp=round(remedy_spend),
        savings_gbp=round(savings),
        committed_gbp=round(committed),
    )
    return totals, by_tenant
