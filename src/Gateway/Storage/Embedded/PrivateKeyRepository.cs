using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// The Data Protection key ring in <c>{DataPath}/keys</c>: ASP.NET Core's own file repository, whose new key files
/// are made 0600 like the rest of the folder (it writes them with the process's default mode; inside the 0700 folder
/// nobody else could open them meanwhile).
/// </summary>
internal sealed class PrivateKeyRepository(string folder, ILoggerFactory loggers) : IXmlRepository
{
    private readonly FileSystemXmlRepository _files = new(new DirectoryInfo(folder), loggers);
    private readonly ILogger _logger = loggers.CreateLogger<PrivateKeyRepository>();

    public IReadOnlyCollection<XElement> GetAllElements() => _files.GetAllElements();

    public void StoreElement(XElement element, string friendlyName)
    {
        _files.StoreElement(element, friendlyName);
        DataFolder.Prepare(folder, _logger);
    }
}
