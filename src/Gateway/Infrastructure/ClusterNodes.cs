using System.Reflection;

namespace OnSale.Gateway.Infrastructure;

/// <summary>One node of the gateway as the others see it.</summary>
/// <param name="Id">Its id, new at every start.</param>
/// <param name="Host">The machine's name and the process id.</param>
/// <param name="Version">The gateway's version it runs.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastSeen">When it last said it was alive.</param>
/// <param name="Ready">Whether it said it was ready to serve.</param>
internal sealed record NodeView(string Id, string Host, string Version, DateTimeOffset StartedAt, DateTimeOffset LastSeen, bool Ready);

/// <summary>
/// The nodes of this gateway that are alive: this one alone with the embedded store; with Redis, every node that said
/// so in the last few seconds. What is shared by count (the backend's hard ceilings) follows <see cref="Changed"/>.
/// </summary>
internal interface IClusterNodes
{
    /// <summary>The live nodes, this one first.</summary>
    IReadOnlyList<NodeView> Nodes { get; }

    /// <summary>Raised when the number of live nodes changed.</summary>
    event Action<int>? Changed;
}

/// <summary>This node, as it describes itself.</summary>
internal sealed class ThisNode(TimeProvider time, GatewayReadiness readiness)
{
    public string Id { get; } = Guid.NewGuid().ToString("N")[..12];

    public string Host { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    public string Version { get; } =
        typeof(ThisNode).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public NodeView View() => new(Id, Host, Version, StartedAt, time.GetUtcNow(), readiness.IsReady);
}

/// <summary>One node: the embedded store's cluster.</summary>
internal sealed class SingleNode(ThisNode self) : IClusterNodes
{
    public IReadOnlyList<NodeView> Nodes => [self.View()];

    /// <summary>Never raised: one node is all there is.</summary>
    public event Action<int>? Changed
    {
        add { }
        remove { }
    }
}
