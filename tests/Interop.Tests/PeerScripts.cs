using System.Text.Json;
using OnSale.Tests.Common;

namespace OnSale.Interop.Tests;

/// <summary>Where the peer scripts live and what they need, found from the repository root at run time.</summary>
public static class PeerScripts
{
    /// <summary>The node-soap version the peers are proven with (PACKAGES.md); package.json pins it exactly.</summary>
    public const string NodeSoapVersion = "1.13.0";

    /// <summary>How long a peer server may take to announce its port.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a peer client may take to run its whole scenario.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    /// <summary><c>tests/Interop.Tests/scripts</c>.</summary>
    public static string ScriptsPath => Path.Combine(RepositoryRoot.Path, "tests", "Interop.Tests", "scripts");

    /// <summary>The project's WSDL, the one our adapter and our mock are both written against.</summary>
    public static string WsdlPath => Path.Combine(RepositoryRoot.Path, "src", "LegacyAdapters", "Soap", "venue-backend.wsdl");

    /// <summary>The full path of a script, which must exist.</summary>
    /// <param name="name">The script's file name.</param>
    /// <returns>Its path.</returns>
    public static string Script(string name)
    {
        var path = Path.Combine(ScriptsPath, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Peer script {path} is missing.", path);
    }

    /// <summary>
    /// Fails unless node-soap is installed in the scripts folder at the pinned version: a missing peer is a failed
    /// test, never a skipped one, so that CI cannot pass without having talked to it.
    /// </summary>
    public static void RequireNodeSoap()
    {
        var package = Path.Combine(ScriptsPath, "node_modules", "soap", "package.json");
        if (!File.Exists(package))
        {
            throw new InvalidOperationException(
                $"node-soap is not installed ({package} is missing): run `npm ci --prefix tests/Interop.Tests/scripts`.");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(package));
        var version = document.RootElement.GetProperty("version").GetString();
        if (version != NodeSoapVersion)
        {
            throw new InvalidOperationException(
                $"node-soap {version} is installed, the interop tests are pinned to {NodeSoapVersion}: run `npm ci --prefix tests/Interop.Tests/scripts`.");
        }
    }
}
