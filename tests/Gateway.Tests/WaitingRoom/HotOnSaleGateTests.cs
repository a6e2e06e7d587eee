using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.WaitingRoom;
using OnSale.Tests.Common.Http;
using OnSale.Tests.Common.Time;

namespace OnSale.Gateway.Tests.WaitingRoom;

/// <summary>
/// The door of a hot performance's line in front of a real <see cref="Room"/>, joined the way
/// <c>WaitingRoomService.JoinAsync</c> joins: the pass's place id, or a new one, then <c>Complete</c>.
/// </summary>
public sealed class HotOnSaleGateTests : IDisposable
{
    private const int Hot = 2001;
    private const string IdentitySecret = "royal-hall-identity-secret-0123456789";
    private readonly FakeTimeProvider _time = TestClock.Create();
    private readonly HotOnSaleOptions _options = new() { Performances = [Hot], ProofOfWorkBits = 4, PlacesPerClient = 2 };
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Room _room;
    private HotOnSaleGate _gate = null!;
    private ProofOfWork _pow = null!;
    private ulong _ids;

    public HotOnSaleGateTests()
    {
        Create(ledgerCapacity: 1000);
        _room = new Room(Hot, _time.GetUtcNow().AddHours(1), new WaitingRoomOptions());
    }

    [Fact]
    public void For_PerformanceNotHot_IsNull()
    {
        Assert.Null(_gate.For(1001, Request("10.0.0.1")));
        Assert.NotNull(_gate.For(Hot, Request("10.0.0.1")));
    }

    [Fact]
    public async Task Admit_WithoutASolution_IsRefused428()
    {
        var (_, problem) = await JoinAsync(Request("10.0.0.1"));

        Assert.Equal((428, "proof_of_work_required"), (problem!.Status, problem.Code));
        Assert.Equal("missing", problem.Extensions!["reason"]);
    }

    [Fact]
    public async Task Admit_OneSolutionTwice_BuysOnePlace()
    {
        var solution = Solution();

        var (first, _) = await JoinAsync(Request("10.0.0.1", solution));
        var (second, problem) = await JoinAsync(Request("10.0.0.2", solution));

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal("reused", problem!.Extensions!["reason"]);
        Assert.Equal(1, _room.Figures.Lobby);
    }

    [Fact]
    public async Task Admit_PlacesPerClient_CapsOneAddressAndNotTheNext()
    {
        Assert.NotNull((await JoinAsync(Request("10.0.0.1", Solution()))).Created);
        Assert.NotNull((await JoinAsync(Request("10.0.0.1", Solution()))).Created);

        var (_, problem) = await JoinAsync(Request("10.0.0.1", Solution()));

        Assert.Equal((403, "too_many_places"), (problem!.Status, problem.Code));
        Assert.NotNull((await JoinAsync(Request("10.0.0.2", Solution()))).Created);
        Assert.Equal(3, _room.Figures.Lobby);
        Assert.Equal(2, _gate.PlacesOf(Hot, "10.0.0.1"));
    }

    [Fact]
    public async Task Admit_AddressesOfOneIPv6Slash64_AreOneClient()
    {
        await JoinAsync(Request("2001:db8:1:2::a", Solution()));
        await JoinAsync(Request("2001:db8:1:2:ffff::b", Solution()));

        var (_, problem) = await JoinAsync(Request("2001:db8:1:2::c", Solution()));

        Assert.Equal("too_many_places", problem!.Code);
        Assert.NotNull((await JoinAsync(Request("2001:db8:1:3::a", Solution()))).Created);
    }

    [Fact]
    public async Task Admit_IdentityThatHasItsPlace_GetsItBackWithoutAChallengeOrACount()
    {
        var identity = Identity("acct-7");
        var (first, _) = await JoinAsync(Request("10.0.0.1", Solution(), identity));

        var (again, problem) = await JoinAsync(Request("10.0.0.1", proof: null, identity));

        Assert.Null(problem);
        Assert.Null(again); // nothing created: the same place
        Assert.Equal(1, _room.Figures.Lobby);
        Assert.Equal(1, _gate.PlacesOf(Hot, "10.0.0.1"));
        Assert.NotNull(first);
    }

    [Fact]
    public async Task Admit_TwoIdentities_TwoPlaces()
    {
        var (a, _) = await JoinAsync(Request("10.0.0.1", Solution(), Identity("acct-1")));
        var (b, _) = await JoinAsync(Request("10.0.0.2", Solution(), Identity("acct-2")));

        Assert.NotEqual(a!.EntryId, b!.EntryId);
    }

    [Fact]
    public async Task Admit_IdentityRequiredAndMissing_IsRefused403()
    {
        _options.RequireIdentity = true;

        var (_, problem) = await JoinAsync(Request("10.0.0.1", Solution()));

        Assert.Equal((403, "identity_required"), (problem!.Status, problem.Code));
        Assert.Equal(0, _room.Figures.Lobby);
    }

    [Fact]
    public async Task Admit_InvalidIdentity_IsRefusedEvenWhenNotRequired()
    {
        var (_, problem) = await JoinAsync(Request("10.0.0.1", Solution(), Identity("acct-1") + "x"));

        Assert.Equal((403, "invalid_identity", "forged"), (problem!.Status, problem.Code, problem.Extensions!["reason"]));
    }

    [Fact]
    public async Task Admit_RefusedForTheCap_DoesNotSpendTheSolution()
    {
        _options.PlacesPerClient = 1;
        await JoinAsync(Request("10.0.0.1", Solution()));
        var solution = Solution();

        await JoinAsync(Request("10.0.0.1", solution));

        Assert.NotNull((await JoinAsync(Request("10.0.0.2", solution))).Created);
    }

    [Fact]
    public async Task Admit_LedgerOfSpentChallengesFull_Refuses503WithRetryAfterRatherThanForget()
    {
        Create(ledgerCapacity: 1);
        Assert.NotNull((await JoinAsync(Request("10.0.0.1", Solution()))).Created);

        var (_, problem) = await JoinAsync(Request("10.0.0.2", Solution()));

        Assert.Equal((503, "queue_busy"), (problem!.Status, problem.Code));
        Assert.Equal(_options.ChallengeLifetime, problem.RetryAfter);
        Assert.Equal(0, _gate.PlacesOf(Hot, "10.0.0.2"));
        _time.Advance(_options.ChallengeLifetime);
        Assert.NotNull((await JoinAsync(Request("10.0.0.2", Solution()))).Created);
    }

    public void Dispose() => _metrics.Dispose();

    private void Create(int ledgerCapacity)
    {
        IReadOnlyList<(string Id, byte[] Secret)> keys = [("local", Encoding.UTF8.GetBytes(new string('k', 32)))];
        var options = Options.Create(_options);
        var venues = new VenueIdentityOptions();
        venues.Venues["royal-hall"] = new VenueIdentitySecret { IdentitySecret = IdentitySecret };
        _pow = new ProofOfWork(() => keys, new ProofOfWorkLedger(ledgerCapacity), _time, options);
        _gate = new HotOnSaleGate(
            new HotOnSales(new MemorySettings(), options, _time, NullLogger<HotOnSales>.Instance),
            _pow,
            new VenueIdentities(Options.Create(venues), () => keys, _time),
            options,
            new GatewayMetrics(_metrics.GetRequiredService<IMeterFactory>()),
            NullLogger<HotOnSaleGate>.Instance);
    }

    private async Task<(StoredEntry? Created, Problem? Problem)> JoinAsync(HttpContext context)
    {
        var (pass, problem) = await _gate.For(Hot, context)!.AdmitAsync(_room, _time.GetUtcNow());
        if (pass is null)
        {
            return (null, problem);
        }

        var (_, created) = _room.Join(pass.EntryId, pass.EntryId ?? ++_ids, _time.GetUtcNow());
        pass.Complete(created is not null);
        return (created, null);
    }

    private string Solution()
    {
        var answer = _pow.Issue(Hot, required: true);
        return ProofOfWorkSolver.Solve(answer.Challenge, answer.Difficulty);
    }

    private string Identity(string account) =>
        VenueIdentities.Sign("royal-hall", Hot, account, _time.GetUtcNow().AddHours(1), Encoding.UTF8.GetBytes(IdentitySecret));

    private static DefaultHttpContext Request(string address, string? proof = null, string? identity = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (proof is not null)
        {
            context.Request.Headers[ProofOfWork.Header] = proof;
        }

        if (identity is not null)
        {
            context.Request.Headers[VenueIdentities.Header] = identity;
        }

        return context;
    }

    private sealed class MemorySettings : ISettingsStore
    {
        private readonly Dictionary<string, string?> _values = [];

        public event Action<string?>? ChangedElsewhere
        {
            add { }
            remove { }
        }

        public Task<string?> GetAsync(string key, CancellationToken cancellationToken) => Task.FromResult(_values.GetValueOrDefault(key));

        public Task SetAsync(string key, string? value, CancellationToken cancellationToken)
        {
            _values[key] = value;
            return Task.CompletedTask;
        }

        public Task EraseAsync(string key, CancellationToken cancellationToken)
        {
            _values.Remove(key);
            return Task.CompletedTask;
        }

        public Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AuditEntry>>([]);
    }
}
