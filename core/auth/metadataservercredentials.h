#pragma once

#include <QStringList>

#include "core/auth/accesstokencredentials.h"

namespace Aq::Auth
{
    // The default service account of a Cloud Run service, GCE instance or GKE workload, from the metadata server
    // (gcp-rest.md 3.4). Replies without the "Metadata-Flavor: Google" header are refused: they come from something
    // else answering at that address.
    class MetadataServerCredentials final : public AccessTokenCredentials
    {
        Q_OBJECT

    public:
        // `host` is host[:port], as GCE_METADATA_HOST gives it; empty for metadata.google.internal.
        explicit MetadataServerCredentials(QNetworkAccessManager *network, const QString &host = {}, QObject *parent = nullptr);

        QString description() const override;
        QString projectId() const override;
        void setProjectId(const QString &projectId);

        // Asks for tokens with these scopes (?scopes=); by default none are named and the server's apply.
        void setScopes(const QStringList &scopes);
        QUrl baseUrl() const;

        // GETs /computeMetadata/v1/project/project-id and keeps the answer as projectId(). A success also proves
        // that a metadata server answers at the host, which is how Application Default Credentials probe for one.
        // The callback is not called if this object is destroyed first.
        void fetchProjectId(int timeoutMs, std::function<void(Result<QString>)> callback);

        static QString defaultHost();

    private:
        Result<TokenRequest> tokenRequest() const override;
        Status checkReply(QNetworkReply *reply) const override;
        QString refusalHint(const QString &error) const override;
        QNetworkRequest request(const QString &path) const;

        QUrl m_baseUrl;
        QString m_projectId;
        QStringList m_scopes;
    };
}
