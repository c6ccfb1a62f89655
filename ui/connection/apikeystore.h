#pragma once

#include <functional>

#include <QByteArray>
#include <QString>
#include <QUrl>

#include "core/common/result.h"

namespace Aq::Ui
{
    // Remote servers' API keys in the system's keychain (Secret Service, KWallet, macOS Keychain, Windows
    // Credential Store) through QtKeychain, one entry per server URL. Never in QSettings or any other file: where
    // no keychain answers (a desktop without one, a headless machine) a key is not remembered, and the caller says
    // so. The URLs of servers watched before are settings (Remote/recent), not secrets.
    namespace ApiKeyStore
    {
        // Calls back on the calling thread, later; an empty key when none is stored for `server`.
        void read(const QUrl &server, QObject *context, std::function<void(Result<QByteArray>)> done);
        void write(const QUrl &server, const QByteArray &key, QObject *context, std::function<void(Status)> done);
        void forget(const QUrl &server, QObject *context, std::function<void(Status)> done);

        QStringList recentServers();
        void addRecentServer(const QUrl &server);
    }
}
