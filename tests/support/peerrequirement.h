#pragma once

#include <QString>
#include <QtTest>

// A test that needs a peer (Google's emulator, node, gcloud) that is not here: under CI=true that is a failure,
// elsewhere a skip that says why. Use as: if (!peer.available) REQUIRE_PEER(peer.why);
#define AQ_REQUIRE_PEER(condition, why)                                                                    \
    do {                                                                                                  \
        if (!(condition)) {                                                                               \
            if (qEnvironmentVariable("CI") == QLatin1String("true"))                                     \
                QFAIL(qPrintable(QStringLiteral("CI=true and a peer is missing: ") + (why)));             \
            QSKIP(qPrintable(QString(why)));                                                              \
        }                                                                                                 \
    } while (false)
