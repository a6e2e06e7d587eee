namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// Keeps <c>Gateway:DataPath</c> private to the gateway's user on Linux and macOS: folders 0700, files 0600. The folder
/// holds purchases, emails and the key ring, and a world-readable <c>gateway.db</c> gave them to every local account.
/// What an older version or an operator left wider is tightened at start-up, once, and logged. Windows is left to its
/// ACLs: a folder there inherits its parent's.
/// </summary>
internal static partial class DataFolder
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="folder"/> (0700) if needed, and tightens it and everything beneath it.</summary>
    public static void Prepare(string folder, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        if (!Directory.Exists(folder))
        {
            // The mode is given to mkdir, so the folder is never wider than 0700, not even for an instant.
            Directory.CreateDirectory(folder, FolderMode);
        }

        Tighten(folder, FolderMode, logger);
        var everything = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", everything))
        {
            if (entry.LinkTarget is null) // a link's target is not ours to change
            {
                Tighten(entry.FullName, entry is DirectoryInfo ? FolderMode : FileMode, logger);
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> empty and 0600 unless it exists. SQLite then opens it rather than creating it
    /// with the process's default mode, and gives its <c>-wal</c> and <c>-shm</c> files the database file's mode.
    /// </summary>
    public static void CreateFile(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created meanwhile by another process opening the same folder; the next start-up tightens it if need be.
        }
    }

    private static void Tighten(string path, UnixFileMode mode, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var current = File.GetUnixFileMode(path);
        if ((current & GroupOrOthers) == 0)
        {
            return;
        }

        try
        {
            File.SetUnixFileMode(path, mode);
            LogTightened(logger, path, Octal(current), Octal(mode));
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Not the gateway user's (a volume mounted as another user): an on-sale is not refused for it, but said loudly.
            LogNotTightened(logger, ex, path, Octal(current));
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');

    [LoggerMessage(Infrastructure.EventIds.DataFolderTightened, LogLevel.Warning, "{Path} was readable by other users ({Mode}): now {NewMode}")]
    private static partial void LogTightened(ILogger logger, string path, string mode, string newMode);

    [LoggerMessage(Infrastructure.EventIds.DataFolderNotPrivate, LogLevel.Error, "{Path} is readable by other users ({Mode}) and could not be tightened: make the gateway's user its owner")]
    private static partial void LogNotTightened(ILogger logger, Exception exception, string path, string mode);
}
