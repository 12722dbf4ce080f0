using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Executor.Analyzers;

/// <summary>
/// The generic host's lifecycle order. A callback that an <c>IHostedService</c>'s <c>StartAsync</c> registers on
/// <c>IHostApplicationLifetime.ApplicationStarted</c> runs inside the host's own <c>StartAsync</c> (<c>NotifyStarted</c>,
/// after every hosted service started, synchronously on the host's thread); the host calls that service's
/// <c>StopAsync</c> only after its <c>StartAsync</c> returned (start, wait for shutdown, stop), and disposes it after
/// that. So the callback's accesses are ordered before the same type's <c>StopAsync</c>, <c>Dispose</c> and
/// <c>DisposeAsync</c> (Coravel's scheduler host, FALSE). Other members, other tokens (<c>ApplicationStopping</c>) and
/// registrations made elsewhere than <c>StartAsync</c> are not ordered by this fact.
/// </summary>
internal sealed partial class ConflictFinder
{
    /// <summary>Whether the host runs the registration's callback before <paramref name="access"/> can run.</summary>
    private bool IsOrderedByHostLifecycle(Registration registration, StateAccess access, CancellationToken cancellationToken)
    {
        if (access.Function is not null
            || access.Member is not MethodDeclarationSyntax { Identifier.ValueText: "StopAsync" or "Dispose" or "DisposeAsync" } other
            || HostedServiceStartingIt(registration, cancellationToken) is not { } hosted
            || Facts.ModelFor(other.SyntaxTree).GetDeclaredSymbol(other, cancellationToken) is not IMethodSymbol otherMethod
            || !SymbolEqualityComparer.Default.Equals(otherMethod.ContainingType, hosted))
        {
            return false;
        }

        return otherMethod.Name != "StopAsync" || ImplementsHostedServiceMember(otherMethod, hosted);
    }

    /// <summary>
    /// Whether the registration is an <c>ApplicationStarted</c> callback registered by a hosted service's
    /// <c>StartAsync</c>: the host calls <c>StartAsync</c> once per service and runs those callbacks one after another
    /// on its own thread, so the callback does not overlap another run of itself.
    /// </summary>
    private bool IsStartedByTheHost(Registration registration, CancellationToken cancellationToken)
        => HostedServiceStartingIt(registration, cancellationToken) is not null;

    /// <summary>The hosted service type whose <c>StartAsync</c> registers this callback on <c>ApplicationStarted</c>, or null.</summary>
    private INamedTypeSymbol? HostedServiceStartingIt(Registration registration, CancellationToken cancellationToken)
    {
        if (registration.Work is not null
            || registration.Operation is not IInvocationOperation { TargetMethod: { Name: "Register" } register, Instance: { } token }
            || !Types.CancellationToken.Matches(register.ContainingType)
            || !IsApplicationStarted(token)
            || registration.Member is not MethodDeclarationSyntax { Identifier.ValueText: "StartAsync" } start
            || Facts.ModelFor(start.SyntaxTree).GetDeclaredSymbol(start, cancellationToken) is not IMethodSymbol { ContainingType: { } hosted } startMethod
            || !ImplementsHostedServiceMember(startMethod, hosted))
        {
            return null;
        }

        return hosted;
    }

    /// <summary><c>lifetime.ApplicationStarted</c> of <c>IHostApplicationLifetime</c> (or the older <c>IApplicationLifetime</c>).</summary>
    private static bool IsApplicationStarted(IOperation token)
    {
        while (token is IConversionOperation conversion)
        {
            token = conversion.Operand;
        }

        return token is IPropertyReferenceOperation { Property: { Name: "ApplicationStarted", ContainingType: { Name: "IHostApplicationLifetime" or "IApplicationLifetime" } lifetime } }
            && lifetime.ContainingNamespace?.ToDisplayString() is "Microsoft.Extensions.Hosting" or "Microsoft.AspNetCore.Hosting";
    }

    /// <summary>Whether the method implements <c>IHostedService.StartAsync</c>/<c>StopAsync</c> for the type.</summary>
    private static bool ImplementsHostedServiceMember(IMethodSymbol method, INamedTypeSymbol type)
    {
        foreach (var hostedService in type.AllInterfaces.Where(i => i.Name == "IHostedService" && i.ContainingNamespace?.ToDisplayString() == "Microsoft.Extensions.Hosting"))
        {
            foreach (var member in hostedService.GetMembers(method.Name))
            {
                if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
