using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Grants;
using KoderId.Application.Sessions;
using KoderId.Application.Tenants;
using KoderId.EventSourcing.Storage;
using Mediator;

namespace KoderId.Application.Flows;

/// <summary>
/// The authentication flow engine of ADR 0006. A flow is transient state (kind <c>flow</c>, 5 minutes) written
/// with compare-and-swap on every step and removed when it completes, so each flow is single use across nodes.
/// The engine owns expiry, single use, lockout, throttling and the policy; the factors check answers.
/// </summary>
public sealed class FlowEngine(
    ITransientStore store,
    IEnumerable<IAuthenticationFactor> factors,
    FlowGuard guard,
    ISender sender,
    IClock clock,
    IFlowUsers? users = null,
    ITenantSettingsProvider? settings = null)
{
    public const string Kind = "flow";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>Wrong answers one flow takes before it is removed (the lockout counters still count every one).</summary>
    public const int MaxFailuresPerFlow = 10;

    public const string OneFactorAcr = "urn:koderid:loa:1";
    public const string TwoFactorAcr = "urn:koderid:loa:2";

    /// <summary>Steps that prove who the user is (the first factor), in the order a page shows them.</summary>
    public static readonly IReadOnlyList<string> FirstFactorSteps = ["password", "email-otp", "webauthn"];

    /// <summary>Steps that count as the second factor: a confirmed TOTP, a recovery code, a passkey.</summary>
    public static readonly IReadOnlyList<string> SecondFactorSteps = ["totp", "recovery-code", "webauthn"];

    /// <summary>
    /// Steps that set up a second factor during sign-in, offered after the first factor when the tenant requires MFA
    /// and the user has no enrolled second factor; completing one is the second factor.
    /// </summary>
    public static readonly IReadOnlyList<string> EnrolmentSteps = ["totp-enrolment", "webauthn-enrolment"];

    /// <summary>Second factors whose presence makes a second step required (a recovery code alone does not).</summary>
    private static readonly string[] EnrolledSecondFactors = ["totp", "webauthn"];

    private readonly Dictionary<string, IAuthenticationFactor> _factors = factors.GroupBy(f => f.Step, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    /// <summary>
    /// Starts a flow for <paramref name="usernameOrEmail"/> (null: a username-less passkey flow). A name that is no
    /// active user gets a decoy flow with the same steps, so the answer does not tell whether the user exists.
    /// </summary>
    public async Task<FlowView> StartAsync(string tenantId, string? usernameOrEmail, string? clientIp, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        await guard.EnsureNotThrottledAsync(tenantId, clientIp, ct).ConfigureAwait(false);
        var now = clock.UtcNow;
        FlowState state;
        if (usernameOrEmail is null)
        {
            var steps = new List<string>();
            foreach (var step in FirstFactorSteps)
            {
                if (_factors.TryGetValue(step, out var factor) && await factor.IsAvailableAsync(tenantId, null, ct).ConfigureAwait(false))
                {
                    steps.Add(step);
                }
            }

            state = NewState(null, null, decoy: false, usernameless: true, steps, now);
        }
        else
        {
            var userId = await (users ?? throw new InvalidOperationException("The host registers IFlowUsers (the users read model).")).FindActiveUserIdAsync(tenantId, usernameOrEmail, ct).ConfigureAwait(false);

            // Every first-factor step the server has, for a real user and a decoy alike: what a named flow offers
            // never depends on the account (a step the user cannot use simply fails, like a wrong password).
            var steps = FirstFactorSteps.Where(_factors.ContainsKey).ToList();
            state = NewState(userId, usernameOrEmail.Trim(), decoy: userId is null, usernameless: false, steps, now);
        }

        var id = GrantSecrets.NewSecret();
        if (!await store.TryAddAsync(tenantId, Kind, id, state.Serialize(), state.ExpiresAt, ct).ConfigureAwait(false))
        {
            throw new InvalidOperationException("A fresh 256-bit flow id collided.");
        }

        return View(id, state);
    }

    /// <summary>The flow as it stands (the page's second step renders from it).</summary>
    public async Task<FlowView> GetAsync(string tenantId, string flowId, CancellationToken ct)
    {
        var (_, state) = await LoadAsync(tenantId, flowId, ct).ConfigureAwait(false);
        return View(flowId, state);
    }

    /// <summary>Begins a step that needs a challenge (<c>POST /v1/auth/flows/{id}/{step}/challenge</c>).</summary>
    public async Task<JsonObject> BeginAsync(string tenantId, string flowId, string step, string origin, string? clientIp, CancellationToken ct)
    {
        await guard.EnsureNotThrottledAsync(tenantId, clientIp, ct).ConfigureAwait(false);
        var (entry, state) = await LoadAsync(tenantId, flowId, ct).ConfigureAwait(false);
        var factor = Offered(state, step);
        var challenge = await factor.BeginAsync(Context(tenantId, flowId, state, step, origin), ct).ConfigureAwait(false);
        if (challenge.State is not null)
        {
            var challenges = new Dictionary<string, string>(state.Challenges, StringComparer.Ordinal) { [step] = challenge.State };
            if (!await store.TryReplaceAsync(tenantId, Kind, flowId, entry.Version, (state with { Challenges = challenges }).Serialize(), state.ExpiresAt, ct).ConfigureAwait(false))
            {
                throw FlowException.NotFound();
            }
        }

        return challenge.Public ?? [];
    }

    /// <summary>
    /// Checks the answer to a step. A wrong answer, a locked account and a decoy flow all throw the same
    /// <see cref="FlowErrors.Failed"/> after the same work; once the policy is met the flow is consumed and a
    /// session started.
    /// </summary>
    public async Task<FlowView> AnswerAsync(string tenantId, string flowId, string step, JsonElement input, string origin, string? clientIp, CancellationToken ct)
    {
        await guard.EnsureNotThrottledAsync(tenantId, clientIp, ct).ConfigureAwait(false);
        var (entry, state) = await LoadAsync(tenantId, flowId, ct).ConfigureAwait(false);
        var factor = Offered(state, step);

        // The lock is read before the answer is checked, and the answer is checked anyway: a locked account costs
        // the same hash and gets the same 401 as a wrong password.
        var locked = state.UserId is not null && await guard.IsLockedAsync(tenantId, state.UserId, ct).ConfigureAwait(false);
        // An enrolment writes the new factor as it checks the code: a locked account gets the refusal without the write.
        var outcome = locked && EnrolmentSteps.Contains(step, StringComparer.Ordinal)
            ? FactorOutcome.Failed
            : await factor.VerifyAsync(Context(tenantId, flowId, state, step, origin), input, ct).ConfigureAwait(false);
        var accepted = outcome.Succeeded && !state.Decoy && outcome.UserId is not null
            && (state.UserId is null || string.Equals(outcome.UserId, state.UserId, StringComparison.Ordinal));
        if (accepted && state.UserId is null)
        {
            // A username-less flow learns its user from the step (a discoverable passkey): check that one's lock.
            locked = await guard.IsLockedAsync(tenantId, outcome.UserId!, ct).ConfigureAwait(false);
        }

        if (!accepted || locked)
        {
            await guard.RecordFailureAsync(tenantId, state.Decoy ? null : state.UserId, clientIp, ct).ConfigureAwait(false);
            await CountFailureAsync(tenantId, flowId, entry, state, ct).ConfigureAwait(false);
            throw FlowException.Failed();
        }

        var userId = outcome.UserId!;
        await guard.RecordSuccessAsync(tenantId, userId, clientIp, ct).ConfigureAwait(false);
        var next = await AdvanceAsync(tenantId, state with { UserId = userId }, step, outcome, ct).ConfigureAwait(false);
        if (next is null)
        {
            // The policy is met: consume the flow first, so of two concurrent completions only one gets a session.
            if (!await store.TryRemoveAsync(tenantId, Kind, flowId, entry.Version, ct).ConfigureAwait(false))
            {
                throw FlowException.NotFound();
            }

            var amr = state.Amr.Concat(outcome.Amr).Distinct(StringComparer.Ordinal).ToArray();
            var twoFactors = outcome.Kind == FactorKind.MultiFactor || state.Completed.Count > 0;
            var session = await sender.Send(new StartSession(tenantId, userId, amr, twoFactors ? TwoFactorAcr : OneFactorAcr), ct).ConfigureAwait(false);
            return new FlowView(
                flowId, state.ExpiresAt, FlowView.CompletedStatus, [], [.. state.Completed, step],
                new FlowSession(session.SessionId, session.Cookie, session.ExpiresAt), amr, userId, outcome.RecoveryCodes);
        }

        if (!await store.TryReplaceAsync(tenantId, Kind, flowId, entry.Version, next.Serialize(), next.ExpiresAt, ct).ConfigureAwait(false))
        {
            throw FlowException.NotFound();
        }

        return View(flowId, next);
    }

    /// <summary>The state after a successful step, or null when the policy is met and the flow completes.</summary>
    private async Task<FlowState?> AdvanceAsync(string tenantId, FlowState state, string step, FactorOutcome outcome, CancellationToken ct)
    {
        var completed = state.Completed.Append(step).ToArray();
        var amr = state.Amr.Concat(outcome.Amr).Distinct(StringComparer.Ordinal).ToArray();
        var challenges = state.Challenges.Where(kv => kv.Key != step).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (outcome.Kind == FactorKind.MultiFactor || state.FirstFactorDone)
        {
            // A user-verified passkey is both factors; a second step after the first meets any policy.
            return null;
        }

        var userId = state.UserId!;
        var second = new List<string>();
        var enrolled = false;
        foreach (var candidate in SecondFactorSteps)
        {
            if (candidate != step && _factors.TryGetValue(candidate, out var factor) && await factor.IsAvailableAsync(tenantId, userId, ct).ConfigureAwait(false))
            {
                second.Add(candidate);
                enrolled |= EnrolledSecondFactors.Contains(candidate);
            }
        }

        var required = enrolled || (settings is not null && (await settings.GetAsync(tenantId, ct).ConfigureAwait(false)).Mfa?.Required == true);
        if (!required)
        {
            return null;
        }

        if (!enrolled)
        {
            // The tenant requires MFA of a user with no second factor: offer to set one up now (what Keycloak's and
            // Zitadel's "configure OTP" required actions do), beside a recovery code the user may still hold.
            foreach (var candidate in EnrolmentSteps)
            {
                if (_factors.TryGetValue(candidate, out var factor) && await factor.IsAvailableAsync(tenantId, userId, ct).ConfigureAwait(false))
                {
                    second.Add(candidate);
                }
            }
        }

        return state with { Completed = completed, Amr = amr, Steps = second, FirstFactorDone = true, Challenges = challenges, Failures = 0 };
    }

    private async Task CountFailureAsync(string tenantId, string flowId, TransientEntry entry, FlowState state, CancellationToken ct)
    {
        var failed = state with { Failures = state.Failures + 1 };
        if (failed.Failures >= MaxFailuresPerFlow)
        {
            await store.TryRemoveAsync(tenantId, Kind, flowId, entry.Version, ct).ConfigureAwait(false);
        }
        else
        {
            // A lost race means another request moved the flow on; the failure stands either way.
            await store.TryReplaceAsync(tenantId, Kind, flowId, entry.Version, failed.Serialize(), failed.ExpiresAt, ct).ConfigureAwait(false);
        }
    }

    private async Task<(TransientEntry Entry, FlowState State)> LoadAsync(string tenantId, string flowId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(flowId) || flowId.Length > 64)
        {
            throw FlowException.NotFound();
        }

        var entry = await store.GetAsync(tenantId, Kind, flowId, ct).ConfigureAwait(false) ?? throw FlowException.NotFound();
        var state = FlowState.Deserialize(entry.Value) ?? throw FlowException.NotFound();
        return (entry, state);
    }

    private IAuthenticationFactor Offered(FlowState state, string step) =>
        state.Steps.Contains(step, StringComparer.Ordinal) && _factors.TryGetValue(step, out var factor) ? factor : throw FlowException.StepNotOffered();

    private static FactorContext Context(string tenantId, string flowId, FlowState state, string step, string origin) =>
        new(tenantId, state.Decoy ? null : state.UserId, flowId, state.Challenges.GetValueOrDefault(step), origin, state.Name);

    private static FlowState NewState(string? userId, string? name, bool decoy, bool usernameless, IReadOnlyList<string> steps, DateTimeOffset now) =>
        new(userId, decoy, usernameless, steps, [], [], false, new Dictionary<string, string>(StringComparer.Ordinal), 0, now + Lifetime, name);

    private static FlowView View(string id, FlowState state) =>
        new(id, state.ExpiresAt, FlowView.Pending, state.Steps, state.Completed);
}
