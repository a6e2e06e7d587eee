namespace OnSale.Gateway.Infrastructure;

/// <summary>Every log event id of the gateway, allocated here so that none is used twice (ranges per feature).</summary>
internal static class EventIds
{
    // 1xx availability
    public const int AvailabilityStaleServed = 100;
    public const int AvailabilityUnknown = 101;
    public const int AvailabilityRestored = 102;
    public const int AvailabilityNotSaved = 103;
    public const int AvailabilityNotRestored = 104;

    // 2xx resilience
    public const int BreakerOpened = 200;
    public const int BreakerHalfOpened = 201;
    public const int BreakerClosed = 202;
    public const int DegradedModeChanged = 203;

    // 3xx purchasing
    public const int PurchaseParked = 300;
    public const int PurchaseConfirmed = 301;
    public const int PurchaseFailed = 302;
    public const int ReplayBackingOff = 303;
    public const int ReplayReconciled = 304;
    public const int ReplayAttemptFailed = 305;
    public const int HoldCreated = 306;
    public const int CheckoutOutcomeUnknown = 307;
    public const int ReplayWorkerCrashed = 308;
    public const int ReplayPurchaseUnexpectedError = 309;
    public const int ReplayPurchaseSetAside = 310;
    public const int PurchaseUnexpectedError = 311;
    public const int RetentionRun = 312;
    public const int RetentionRunFailed = 313;
    public const int SessionKeysNotFetched = 314;

    // 4xx admin
    public const int AdminAuditBanner = 401;
    public const int AdminUnauthorized = 402;

    // 5xx storage
    public const int StoreOpened = 500;
    public const int DataFolderTightened = 501;
    public const int DataFolderNotPrivate = 502;
    public const int StoreSyncFailed = 503;
    public const int RedisConnectionFailed = 510;
    public const int RedisConnectionRestored = 511;
    public const int RedisNotDurable = 512;
    public const int RedisSettingFollowFailed = 513;
    public const int StoreUnavailable = 514;
    public const int RedisNodeBeatFailed = 515;
    public const int RedisNodeBeatResumed = 516;
    public const int RedisUnreachableAtStart = 517;
    public const int RedisReachableAgain = 518;
    public const int StateRestoreWaiting = 519;
    public const int RedisReplayLeaseTaken = 520;
    public const int RedisPurchaseRecovered = 521;
    public const int RedisPromisesFollowFailed = 522;
    public const int RedisPurchasesClaimed = 523;
    public const int RedisAdmissionRoundSkipped = 524;

    // 6xx waiting room
    public const int WaitingRoomActivated = 600;
    public const int WaitingRoomDeactivated = 601;
    public const int AdmissionLimitChanged = 602;
    public const int LobbyOpened = 603;
    public const int WaitingRoomKeyGenerated = 604;
    public const int AdmissionRoundFailed = 605;
    public const int WaitingRoomReleaseNotSaved = 606;
    public const int WaitingRoomThresholdAboveCeiling = 607;
    public const int HotOnSaleChanged = 608;
    public const int HotChallengeLedgerFull = 609;
    public const int WaitingRoomKeyProtected = 610;
    public const int WaitingRoomKeyUnreadable = 611;

    // 7xx availability cache
    public const int CacheFailSafeActivated = 700;

    // 8xx widget
    public const int WidgetUnknownVenue = 800;
    public const int WidgetHostRefused = 801;

    // 9xx infrastructure
    public const int DeadlineExceeded = 900;
    public const int UnhandledException = 901;
    public const int BadHttpRequest = 902;

    // 102x on-sale warm-up and readiness
    public const int WarmUpClamped = 1020;
    public const int WarmUpStarted = 1021;
    public const int WarmUpFailed = 1022;
    public const int WarmUpRoundFailed = 1023;
    public const int ReadinessCheckFailed = 1024;

    // 103x support console and operators
    public const int AdminForbidden = 1030;
    public const int AdminOperatorRefused = 1031;
    public const int AdminOperatorUnknownRole = 1032;
    public const int ModeUntilReverted = 1033;
    public const int ModeUntilRevertFailed = 1034;
    public const int ConsoleSampleFailed = 1035;

    // 101x admission paused by support
    public const int AdmissionPauseChanged = 1010;
}
