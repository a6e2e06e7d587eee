namespace OnSale.Tests.Common;

/// <summary>The checkout's root folder (the one holding Gateway.sln), found by walking up from the test binaries.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Gateway.sln above {AppContext.BaseDirectory}.");
    });

    public static string Path => Root.Value;
}
