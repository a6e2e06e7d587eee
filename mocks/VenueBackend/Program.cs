using OnSale.Mocks.VenueBackend;

var app = VenueBackendApp.Build(args);
app.Run();
