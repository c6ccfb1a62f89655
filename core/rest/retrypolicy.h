#pragma once

#include <chrono>

namespace Aq::Rest
{
    // Exponential backoff with jitter, as Google's client libraries do it: the n-th wait is a random
    // duration in [delay/2, delay], where delay = initial * multiplier^n, capped at maximum.
    struct RetryPolicy
    {
        int maxAttempts = 6;
        std::chrono::milliseconds initialBackoff {100};
        double multiplier = 2.0;
        std::chrono::milliseconds maximumBackoff {30000};

        // `retry` counts from 0 (the wait before the second attempt).
        std::chrono::milliseconds backoff(int retry) const;
        static bool isRetryableHttpStatus(int httpStatus);
    };
}
