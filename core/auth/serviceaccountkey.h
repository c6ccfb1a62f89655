#pragma once

#include <QString>
#include <QUrl>

#include "core/auth/rsaprivatekey.h"
#include "core/common/result.h"

namespace Aq::Auth
{
    class CredentialsFile;

    // The parts of a "type":"service_account" key file that authentication uses (gcp-rest.md 3.1).
    struct ServiceAccountKey
    {
        QString filePath;          // for messages; empty when the key did not come from a file
        QString clientEmail;
        QString privateKeyId;      // the JWT's "kid"; optional
        RsaPrivateKey privateKey;
        QUrl tokenUri;
        QString projectId;
        QString quotaProjectId;

        // Requires client_email, private_key (a PEM RSA key) and token_uri (https, or http to a loopback host).
        static Result<ServiceAccountKey> fromFile(const CredentialsFile &file);
    };
}
