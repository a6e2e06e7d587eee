using OnSale.Tests.Common.VenueBackend;

namespace OnSale.FunctionalTests;

/// <summary>What every functional test starts from: the mock backend, and a data folder of its own, removed at the end.</summary>
public abstract class FunctionalTest : IAsyncLifetime
{
    protected string DataPath { get; } = Path.Combine(Path.GetTempPath(), "onsale-functional", Guid.NewGuid().ToString("N"));

    protected MockBackendHost Mock { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Mock = await MockBackendHost.StartAsync();

    public virtual async Task DisposeAsync()
    {
        await Mock.DisposeAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder.
        }
    }
}
