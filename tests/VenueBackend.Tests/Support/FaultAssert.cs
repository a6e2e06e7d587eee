using OnSale.Mocks.VenueBackend.Inventory;

namespace OnSale.Mocks.VenueBackend.Tests.Support;

internal static class FaultAssert
{
    /// <summary>Asserts that <paramref name="action"/> faults with <paramref name="code"/>; returns the fault.</summary>
    public static VenueFaultException Throws(int code, Action action)
    {
        var fault = Assert.Throws<VenueFaultException>(action);
        Assert.Equal(code, fault.Code);
        return fault;
    }

    public static VenueFaultException Throws<T>(int code, Func<T> func) => Throws(code, () => { _ = func(); });
}
