using KoderId.Application.Common;
using KoderId.Domain.Grants;
using KoderId.Domain.Groups;
using KoderId.Domain.Roles;
using KoderId.Domain.Sessions;
using KoderId.Domain.Tenants;
using KoderId.Domain.Users;
using KoderId.Events;
using KoderId.EventSourcing.Serialization;
using KoderId.EventSourcing.Storage;

namespace KoderId.Testing.Audit;

/// <summary>
/// A security-relevant history written through the domain's decisions and the real <see cref="AggregateStore"/>,
/// one step an hour on a clock the test controls, so replay, as-of and verify have known answers. Shared (linked)
/// by the CLI and server tests. Timeline (all acme unless said, alice = <see cref="Alice"/>):
/// <code>
/// 09:00 tenants acme and globex created (system-admin)
/// 10:00 alice created (alice@example.com, unverified; given name Alice)   api-key:k1
/// 10:30 bob created                                                         api-key:k1
/// 11:00 alice's profile: display name "Alice L.", family name Liddell      api-key:k1
/// 12:00 group staff created, alice added                                   api-key:k2
/// 13:00 role auditor assigned to alice; role reader assigned to staff      api-key:k2
/// 14:00 session s-1 started for alice (198.51.100.4)                       user:alice
/// 15:00 session s-2 started for alice; alice consents to client c-web     user:alice
/// 16:00 s-1 revoked (logout)                                               user:alice
/// 17:00 password set (initial)                                             api-key:k1
/// 17:30 mfa.u2f-registered.v1 on mfa-acme-alice (a type this build does not know)
/// 18:00 email changed to alice@corp.example, verified                      api-key:k1
/// 19:00 alice disabled ("left"); s-2 revoked (user-disabled)               api-key:k1
/// 20:00 globex: gina created                                               api-key:g1
/// 21:00 alice erased (subject key destroyed)                               system-admin
/// </code>
/// </summary>
public sealed class ScriptedHistory(IEventStore store, ISubjectKeyStore keys)
{
    public const string Acme = "acme";
    public const string Globex = "globex";
    public const string Alice = "alice";
    public const string Bob = "bob";
    public const string Gina = "gina";
    public const string Staff = "staff";
    public const string Auditor = "auditor";
    public const string Reader = "reader";
    public const string WebClient = "c-web";
    public const string Ip = "198.51.100.4";
    public const string Browser = "Mozilla/5.0 (X11; tests) \"quoted\", with comma";

    public static readonly DateTimeOffset Day = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int hour, int minute = 0) => Day.AddHours(hour).AddMinutes(minute);

    private readonly EventSerializer _serializer = new(EventCatalog.CreateRegistry(), keys);
    private readonly ManualClock _clock = new();

    /// <param name="erase">Whether the last step (alice's erasure) is written: without it, her personal fields still read in clear.</param>
    public async Task WriteAsync(bool erase = true, CancellationToken ct = default)
    {
        await Step(9, 0, "system-admin", null, a => a.DecideAsync(Aggregates.Tenant, Acme, StreamNames.Tenant(Acme), s => Tenant.Create(s, Acme, "Acme"), ct));
        await Step(9, 0, "system-admin", null, a => a.DecideAsync(Aggregates.Tenant, Globex, StreamNames.Tenant(Globex), s => Tenant.Create(s, Globex, "Globex"), ct));
        await Step(10, 0, "api-key:k1", null, a => OnUser(a, Alice, s => User.Create(s, Alice, "alice", "alice@example.com", false, new UserProfile(GivenName: "Alice")), ct));
        await Step(10, 30, "api-key:k1", null, a => OnUser(a, Bob, s => User.Create(s, Bob, "bob", "bob@example.com", true), ct));
        await Step(11, 0, "api-key:k1", null, a => OnUser(a, Alice, s => User.UpdateProfile(s, new UserProfilePatch(DisplayName: FieldChange.To("Alice L."), FamilyName: FieldChange.To("Liddell"))), ct));
        await Step(12, 0, "api-key:k2", null, async a =>
        {
            await a.DecideAsync(Aggregates.Group, Acme, StreamNames.Group(Acme, Staff), s => Group.Create(s, Staff, "Staff"), ct);
            await a.DecideAsync(Aggregates.Group, Acme, StreamNames.Group(Acme, Staff), s => Group.AddMember(s, Alice), ct);
        });
        await Step(13, 0, "api-key:k2", null, async a =>
        {
            await a.DecideAsync(Aggregates.Role, Acme, StreamNames.Role(Acme, Auditor), s => Role.Create(s, Auditor, "Auditor"), ct);
            await a.DecideAsync(Aggregates.Role, Acme, StreamNames.Role(Acme, Auditor), s => Role.AssignToUser(s, Alice), ct);
            await a.DecideAsync(Aggregates.Role, Acme, StreamNames.Role(Acme, Reader), s => Role.Create(s, Reader, "Reader"), ct);
            await a.DecideAsync(Aggregates.Role, Acme, StreamNames.Role(Acme, Reader), s => Role.AssignToGroup(s, Staff), ct);
        });
        await Step(14, 0, "user:alice", Ip, a => StartSession(a, "s-1", ct));
        await Step(15, 0, "user:alice", Ip, async a =>
        {
            await StartSession(a, "s-2", ct);
            await a.DecideAsync(Aggregates.Consent, Acme, StreamNames.Consent(Acme, Alice, WebClient), s => Consent.Give(s, WebClient, Alice, ["openid", "profile"]), ct);
        });
        await Step(16, 0, "user:alice", Ip, a => a.DecideAsync(Aggregates.Session, Acme, StreamNames.Session(Acme, "s-1"), s => Session.Revoke(s, SessionRevokeReasons.Logout), ct));
        await Step(17, 0, "api-key:k1", null, a => OnUser(a, Alice, s => User.SetPassword(s, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false), ct));
        _clock.UtcNow = At(17, 30);
        var mfaStream = StreamNames.Mfa(Acme, Alice);
        await store.AppendAsync(new AppendRequest(Acme, mfaStream, ExpectedVersion.At(0),
            [new UncommittedEvent("mfa.u2f-registered.v1", """{"userId":"alice","credentialId":"u2f-1","seed":"JBSWY3DPEHPK3PXP"}""", new EventMetadata { Timestamp = At(17, 30), Actor = "user:alice", ClientIp = Ip })]), ct);
        await Step(18, 0, "api-key:k1", null, a => OnUser(a, Alice, s => User.ChangeEmail(s, "alice@corp.example", true), ct));
        await Step(19, 0, "api-key:k1", null, async a =>
        {
            await OnUser(a, Alice, s => User.Disable(s, "left"), ct);
            await a.DecideAsync(Aggregates.Session, Acme, StreamNames.Session(Acme, "s-2"), s => Session.Revoke(s, SessionRevokeReasons.UserDisabled), ct);
        });
        await Step(20, 0, "api-key:g1", null, a => a.DecideAsync(Aggregates.User, Globex, StreamNames.User(Globex, Gina), s => User.Create(s, Gina, "gina", "gina@globex.example", true), ct));
        if (!erase)
        {
            return;
        }

        await Step(21, 0, "system-admin", null, async a =>
        {
            await OnUser(a, Alice, User.Erase, ct);
            await keys.EraseAsync(Acme, Alice, ct);
        });
    }

    private static Task<Decided<UserState>> OnUser(AggregateStore a, string userId, Func<UserState, IReadOnlyList<object>> decide, CancellationToken ct) =>
        a.DecideAsync(Aggregates.User, Acme, StreamNames.User(Acme, userId), decide, ct);

    private Task<Decided<SessionState>> StartSession(AggregateStore a, string sessionId, CancellationToken ct) =>
        a.DecideAsync(Aggregates.Session, Acme, StreamNames.Session(Acme, sessionId), s => Session.Start(
            s, sessionId, Alice, ["pwd"], null, _clock.UtcNow, _clock.UtcNow.AddDays(14), "c2VjcmV0LWhhc2gtb2YtdGhlLWNvb2tpZQ", _clock.UtcNow, Ip, Browser), ct);

    private async Task Step(int hour, int minute, string actor, string? ip, Func<AggregateStore, Task> write)
    {
        _clock.UtcNow = At(hour, minute);
        var context = new RequestContext { Actor = actor, ClientIp = ip, UserAgent = ip is null ? "koderid-admin/1.0" : Browser, CorrelationId = $"corr-{hour:00}{minute:00}" };
        await write(new AggregateStore(store, _serializer, context, _clock));
    }

    private sealed class ManualClock : IClock
    {
        public DateTimeOffset UtcNow { get; set; }
    }
}
