// The operator's configuration: flags over variables, defaults, and errors naming the source.
import { describe, expect, it } from 'vitest';
import { fillTemplate, loadControllerConfig } from '../../src/controller/config.ts';
import { ConfigError } from '../../src/shared/config/env.ts';

describe('loadControllerConfig', () => {
  it('has defaults for a pod in the cluster', () => {
    expect(loadControllerConfig([], {})).toEqual({
      kubeconfig: undefined,
      leaderElect: true,
      leaderElectionNamespace: 'sluice-system',
      identity: undefined,
      image: undefined,
      namespaces: undefined,
      httpPort: 8081,
      resyncSeconds: 600,
      clusterApiUrl: undefined,
    });
  });

  it('takes a flag over its environment variable', () => {
    const c = loadControllerConfig(['--http-port=9000', '--leader-elect=false'], { SLUICE_HTTP_PORT: '7000', SLUICE_LEADER_ELECT: 'true', POD_NAMESPACE: 'ops' });
    expect(c).toMatchObject({ httpPort: 9000, leaderElect: false, leaderElectionNamespace: 'ops' });
  });

  it.each([
    [['--http-port=eighty'], {}, /--http-port must be an integer/],
    [[], { SLUICE_HTTP_PORT: '70000' }, /SLUICE_HTTP_PORT must be between 0 and 65535/],
    [[], { SLUICE_LEADER_ELECT: 'yes' }, /SLUICE_LEADER_ELECT must be true or false/],
    [['--cluster-api-url=ftp://x/{name}'], {}, /--cluster-api-url must use http: or https:/],
    [[], { SLUICE_CLUSTER_API_URL: 'not a url' }, /SLUICE_CLUSTER_API_URL must be a URL/],
    [['--htp-port=1'], {}, /unknown argument "--htp-port=1"/],
    [['http-port=1'], {}, /unknown argument/],
    [['--namespace=a', '--watch-namespaces=b,c'], {}, /set --namespace or --watch-namespaces, not both/],
    [['--watch-namespaces=team-a,Team_B'], {}, /--watch-namespaces must name namespaces, comma-separated; "Team_B" is not a namespace name/],
    [[], { SLUICE_WATCH_NAMESPACES: 'team-a,,team-b' }, /SLUICE_WATCH_NAMESPACES must name namespaces/],
  ])('refuses %j %j', (argv, env, message) => {
    expect(() => loadControllerConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadControllerConfig(argv, env)).toThrow(message);
  });

  it.each([
    [['--watch-namespaces=team-a, team-b,team-a'], {}, ['team-a', 'team-b']],
    [[], { SLUICE_WATCH_NAMESPACES: 'docs' }, ['docs']],
    [['--namespace=docs'], {}, ['docs']],
  ])('watches the namespaces of %j %j', (argv, env, want) => {
    expect(loadControllerConfig(argv, env).namespaces).toEqual(want);
  });

  it('accepts a cluster API URL template with {namespace} and {name}', () => {
    const c = loadControllerConfig(['--cluster-api-url=http://127.0.0.1:8080/{namespace}/{name}'], {});
    expect(c.clusterApiUrl).toBe('http://127.0.0.1:8080/{namespace}/{name}');
    expect(fillTemplate(c.clusterApiUrl!, { namespace: 'team-a', name: 'docs' })).toBe('http://127.0.0.1:8080/team-a/docs');
  });
});
