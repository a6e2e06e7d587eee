namespace OnSale.Mocks.VenueBackend;

/// <summary>Starts the mock standalone: <c>dotnet run --project mocks/VenueBackend -- --urls http://127.0.0.1:5090</c>.</summary>
internal static class Program
{
    public static void Main(string[] args) => VenueBackendApp.Build(args).Run();
}
