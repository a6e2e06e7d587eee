using System.Net;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Tests.Purchasing;

/// <summary>
/// A live purchase the box office refuses as busy (a 503 fault: it did nothing) tries that call once more within its
/// deadline, instead of parking itself and, behind it, every purchase that follows.
/// </summary>
public sealed class BusyRefusalTests
{
    [Theory]
    [InlineData("GetNewSessionKeyAsync")]
    [InlineData("ReserveTicketsAsync")]
    [InlineData("CheckoutAsync")]
    public async Task Purchase_OneBusyRefusal_IsBoughtLive(string refusedCall)
    {
        var refusals = new Refusals(refusedCall, count: 1);
        await using var gateway = await GatewayHost.StartAsync(services: refusals.Install);

        using var response = await gateway.PurchaseAsync(Requests.Purchase());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, refusals.Refused);
    }

    [Fact]
    public async Task Purchase_RefusedTwice_ParksAsBefore()
    {
        var refusals = new Refusals("ReserveTicketsAsync", count: 2);
        await using var gateway = await GatewayHost.StartAsync(services: refusals.Install);

        using var response = await gateway.PurchaseAsync(Requests.Purchase());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, refusals.Refused);
        Assert.Equal("confirmed", (await gateway.SettledAsync((await GatewayHost.JsonAsync(response)).GetProperty("purchaseId").GetString()!)).GetProperty("status").GetString());
    }

    /// <summary>Puts a decorator in front of the gateway's backend that refuses the first <c>count</c> calls of one method as busy.</summary>
    private sealed class Refusals(string method, int count)
    {
        private readonly Lock _gate = new();
        private int _refused;

        public int Refused
        {
            get
            {
                lock (_gate)
                {
                    return _refused;
                }
            }
        }

        public void Install(IServiceCollection services)
        {
            var original = services.Last(d => d.ServiceType == typeof(IVenueBackend));
            services.Remove(original);
            services.AddSingleton(provider =>
            {
                var inner = original.ImplementationInstance as IVenueBackend
                    ?? (IVenueBackend?)original.ImplementationFactory?.Invoke(provider)
                    ?? (IVenueBackend)ActivatorUtilities.CreateInstance(provider, original.ImplementationType!);
                var proxy = DispatchProxy.Create<IVenueBackend, RefusingProxy>();
                ((RefusingProxy)(object)proxy).Set(inner, this);
                return proxy;
            });
        }

        public bool TryRefuse(string name)
        {
            lock (_gate)
            {
                if (name != method || _refused >= count)
                {
                    return false;
                }

                _refused++;
                return true;
            }
        }
    }

    /// <summary>The decorator: every call goes to the real backend but the refused ones.</summary>
    public class RefusingProxy : DispatchProxy
    {
        private IVenueBackend _inner = null!;
        private Refusals _refusals = null!;

        internal void Set(IVenueBackend inner, object refusals)
        {
            _inner = inner;
            _refusals = (Refusals)refusals;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (_refusals.TryRefuse(targetMethod!.Name))
            {
                var result = typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!
                    .MakeGenericMethod(targetMethod.ReturnType.GetGenericArguments()[0])
                    .Invoke(null, [new BackendUnavailableException("Backend busy: too many calls per second")]);
                return result;
            }

            return targetMethod.Invoke(_inner, args);
        }
    }
}
