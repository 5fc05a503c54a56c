# -*- coding: utf-8 -*-
# Copyright: Anchorage developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compose file schema `docker stack deploy` validates against, and a validator for it.

SCHEMA is docker/cli's cli/compose/schema/data/config_schema_v3.13.json (Apache License 2.0, Copyright Docker,
Inc.), unchanged but for its $schema key: the newest 3.x schema, a superset of the older ones, so that every key
the CLI accepts is accepted here and every key it rejects (a typo, a wrong type) is rejected with the same path.
The validator implements the part of JSON Schema draft 4 that this schema uses, plus the CLI's two formats
("ports" and "duration"); the Python jsonschema package is not needed on the managed node.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

SCHEMA = json.loads(r'''
{
 "id": "config_schema_v3.13.json",
 "type": "object",
 "properties": {
  "version": {
   "type": "string",
   "default": "3.13"
  },
  "services": {
   "id": "#/properties/services",
   "type": "object",
   "patternProperties": {
    "^[a-zA-Z0-9._-]+$": {
     "$ref": "#/definitions/service"
    }
   },
   "additionalProperties": false
  },
  "networks": {
   "id": "#/properties/networks",
   "type": "object",
   "patternProperties": {
    "^[a-zA-Z0-9._-]+$": {
     "$ref": "#/definitions/network"
    }
   }
  },
  "volumes": {
   "id": "#/properties/volumes",
   "type": "object",
   "patternProperties": {
    "^[a-zA-Z0-9._-]+$": {
     "$ref": "#/definitions/volume"
    }
   },
   "additionalProperties": false
  },
  "secrets": {
   "id": "#/properties/secrets",
   "type": "object",
   "patternProperties": {
    "^[a-zA-Z0-9._-]+$": {
     "$ref": "#/definitions/secret"
    }
   },
   "additionalProperties": false
  },
  "configs": {
   "id": "#/properties/configs",
   "type": "object",
   "patternProperties": {
    "^[a-zA-Z0-9._-]+$": {
     "$ref": "#/definitions/config"
    }
   },
   "additionalProperties": false
  }
 },
 "patternProperties": {
  "^x-": {}
 },
 "additionalProperties": false,
 "definitions": {
  "service": {
   "id": "#/definitions/service",
   "type": "object",
   "properties": {
    "deploy": {
     "$ref": "#/definitions/deployment"
    },
    "build": {
     "oneOf": [
      {
       "type": "string"
      },
      {
       "type": "object",
       "properties": {
        "context": {
         "type": "string"
        },
        "dockerfile": {
         "type": "string"
        },
        "args": {
         "$ref": "#/definitions/list_or_dict"
        },
        "labels": {
         "$ref": "#/definitions/list_or_dict"
        },
        "cache_from": {
         "$ref": "#/definitions/list_of_strings"
        },
        "network": {
         "type": "string"
        },
        "target": {
         "type": "string"
        },
        "shm_size": {
         "type": [
          "integer",
          "string"
         ]
        },
        "extra_hosts": {
         "$ref": "#/definitions/list_or_dict"
        }
       },
       "additionalProperties": true
      }
     ]
    },
    "cap_add": {
     "type": "array",
     "items": {
      "type": "string"
     },
     "uniqueItems": true
    },
    "cap_drop": {
     "type": "array",
     "items": {
      "type": "string"
     },
     "uniqueItems": true
    },
    "cgroupns_mode": {
     "type": "string"
    },
    "cgroup_parent": {
     "type": "string"
    },
    "command": {
     "oneOf": [
      {
       "type": "string"
      },
      {
       "type": "array",
       "items": {
        "type": "string"
       }
      }
     ]
    },
    "configs": {
     "type": "array",
     "items": {
      "oneOf": [
       {
        "type": "string"
       },
       {
        "type": "object",
        "properties": {
         "source": {
          "type": "string"
         },
         "target": {
          "type": "string"
         },
         "uid": {
          "type": "string"
         },
         "gid": {
          "type": "string"
         },
         "mode": {
          "type": "number"
         }
        }
       }
      ]
     }
    },
    "container_name": {
     "type": "string"
    },
    "credential_spec": {
     "type": "object",
     "properties": {
      "config": {
       "type": "string"
      },
      "file": {
       "type": "string"
      },
      "registry": {
       "type": "string"
      }
     },
     "additionalProperties": false
    },
    "depends_on": {
     "$ref": "#/definitions/list_of_strings"
    },
    "devices": {
     "type": "array",
     "items": {
      "type": "string"
     },
     "uniqueItems": true
    },
    "dns": {
     "$ref": "#/definitions/string_or_list"
    },
    "dns_search": {
     "$ref": "#/definitions/string_or_list"
    },
    "domainname": {
     "type": "string"
    },
    "entrypoint": {
     "oneOf": [
      {
       "type": "string"
      },
      {
       "type": "array",
       "items": {
        "type": "string"
       }
      }
     ]
    },
    "env_file": {
     "$ref": "#/definitions/string_or_list"
    },
    "environment": {
     "$ref": "#/definitions/list_or_dict"
    },
    "expose": {
     "type": "array",
     "items": {
      "type": [
       "string",
       "number"
      ],
      "format": "expose"
     },
     "uniqueItems": true
    },
    "external_links": {
     "type": "array",
     "items": {
      "type": "string"
     },
     "uniqueItems": true
    },
    "extra_hosts": {
     "$ref": "#/definitions/list_or_dict"
    },
    "healthcheck": {
     "$ref": "#/definitions/healthcheck"
    },
    "hostname": {
     "type": "string"
    },
    "image": {
     "type": "string"
    },
    "init": {
     "type": "boolean"
    },
    "ipc": {
     "type": "string"
    },
    "isolation": {
     "type": "string"
    },
    "labels": {
     "$ref": "#/definitions/list_or_dict"
    },
    "links": {
     "type": "array",
     "items": {
      "type": "string"
     },
     "uniqueItems": true
    },
    "logging": {
     "type": "object",
     "properties": {
      "driver": {
       "type": "string"
      },
      "options": {
       "type": "object",
       "patternProperties": {
        "^.+$": {
         "type": [
          "string",
          "number",
          "null"
         ]
        }
       }
      }
     },
     "additionalProperties": false
    },
    "mac_address": {
     "type": "string"
    },
    "network_mode": {
     "type": "string"
    },
    "networks": {
     "oneOf": [
      {
       "$ref": "#/definitions/list_of_strings"
      },
      {
       "type": "object",
       "patternProperties": {
        "^[a-zA-Z0-9._-]+$": {
         "oneOf": [
          {
           "type": "object",
           "properties": {
            "aliases": {
             "$ref": "#/definitions/list_of_strings"
            },
            "driver_opts": {
             "type": "object",
             "patternProperties": {
              "^.+$": {
               "type": [
                "string",
                "number"
               ]
              }
             }
            },
            "ipv4_address": {
             "type": "string"
            },
            "ipv6_address": {
             "type": "string"
            }
           },
           "additionalProperties": false
          },
          {
           "type": "null"
          }
         ]
        }
       },
       "additionalProperties": false
      }
     ]
    },
    "pid": {
     "type": [
      "string",
      "null"
     ]
    },
    "ports": {
     "type": "array",
     "items": {
      "oneOf": [
       {
        "type": "number",
        "format": "ports"
       },
       {
        "type": "string",
        "format": "ports"
       },
       {
        "type": "object",
        "properties": {
         "mode": {
          "type": "string"
         },
         "target": {
          "type": "integer"
         },
         "published": {
          "type": "integer"
         },
         "protocol": {
          "type": "string"
         }
        },
        "additionalProperties": false
       }
      ]
     },
     "uniqueItems": true
    },
    "privileged": {
     "type": "boolean"
    },
    "read_only": {
     "type": "boolean"
    },
    "restart": {
     "type": "string"
    },
    "security_opt": {
     "type": "array",
     "items": {
      "type": "string"
     },
     "uniqueItems": true
    },
    "shm_size": {
     "type": [
      "number",
      "string"
     ]
    },
    "secrets": {
     "type": "array",
     "items": {
      "oneOf": [
       {
        "type": "string"
       },
       {
        "type": "object",
        "properties": {
         "source": {
          "type": "string"
         },
         "target": {
          "type": "string"
         },
         "uid": {
          "type": "string"
         },
         "gid": {
          "type": "string"
         },
         "mode": {
          "type": "number"
         }
        }
       }
      ]
     }
    },
    "sysctls": {
     "$ref": "#/definitions/list_or_dict"
    },
    "stdin_open": {
     "type": "boolean"
    },
    "stop_grace_period": {
     "type": "string",
     "format": "duration"
    },
    "stop_signal": {
     "type": "string"
    },
    "tmpfs": {
     "$ref": "#/definitions/string_or_list"
    },
    "tty": {
     "type": "boolean"
    },
    "ulimits": {
     "type": "object",
     "patternProperties": {
      "^[a-z]+$": {
       "oneOf": [
        {
         "type": "integer"
        },
        {
         "type": "object",
         "properties": {
          "hard": {
           "type": "integer"
          },
          "soft": {
           "type": "integer"
          }
         },
         "required": [
          "soft",
          "hard"
         ],
         "additionalProperties": false
        }
       ]
      }
     }
    },
    "oom_score_adj": {
     "type": "integer"
    },
    "user": {
     "type": "string"
    },
    "userns_mode": {
     "type": "string"
    },
    "volumes": {
     "type": "array",
     "items": {
      "oneOf": [
       {
        "type": "string"
       },
       {
        "type": "object",
        "required": [
         "type"
        ],
        "properties": {
         "type": {
          "type": "string"
         },
         "source": {
          "type": "string"
         },
         "target": {
          "type": "string"
         },
         "read_only": {
          "type": "boolean"
         },
         "consistency": {
          "type": "string"
         },
         "bind": {
          "type": "object",
          "properties": {
           "propagation": {
            "type": "string"
           }
          }
         },
         "volume": {
          "type": "object",
          "properties": {
           "nocopy": {
            "type": "boolean"
           }
          }
         },
         "tmpfs": {
          "type": "object",
          "properties": {
           "size": {
            "type": "integer",
            "minimum": 0
           }
          }
         }
        },
        "additionalProperties": false
       }
      ],
      "uniqueItems": true
     }
    },
    "working_dir": {
     "type": "string"
    }
   },
   "patternProperties": {
    "^x-": {}
   },
   "additionalProperties": false
  },
  "healthcheck": {
   "id": "#/definitions/healthcheck",
   "type": "object",
   "additionalProperties": false,
   "properties": {
    "disable": {
     "type": "boolean"
    },
    "interval": {
     "type": "string",
     "format": "duration"
    },
    "retries": {
     "type": "number"
    },
    "test": {
     "oneOf": [
      {
       "type": "string"
      },
      {
       "type": "array",
       "items": {
        "type": "string"
       }
      }
     ]
    },
    "timeout": {
     "type": "string",
     "format": "duration"
    },
    "start_period": {
     "type": "string",
     "format": "duration"
    },
    "start_interval": {
     "type": "string",
     "format": "duration"
    }
   }
  },
  "deployment": {
   "id": "#/definitions/deployment",
   "type": [
    "object",
    "null"
   ],
   "properties": {
    "mode": {
     "type": "string"
    },
    "endpoint_mode": {
     "type": "string"
    },
    "replicas": {
     "type": "integer"
    },
    "labels": {
     "$ref": "#/definitions/list_or_dict"
    },
    "rollback_config": {
     "type": "object",
     "properties": {
      "parallelism": {
       "type": "integer"
      },
      "delay": {
       "type": "string",
       "format": "duration"
      },
      "failure_action": {
       "type": "string"
      },
      "monitor": {
       "type": "string",
       "format": "duration"
      },
      "max_failure_ratio": {
       "type": "number"
      },
      "order": {
       "type": "string",
       "enum": [
        "start-first",
        "stop-first"
       ]
      }
     },
     "additionalProperties": false
    },
    "update_config": {
     "type": "object",
     "properties": {
      "parallelism": {
       "type": "integer"
      },
      "delay": {
       "type": "string",
       "format": "duration"
      },
      "failure_action": {
       "type": "string"
      },
      "monitor": {
       "type": "string",
       "format": "duration"
      },
      "max_failure_ratio": {
       "type": "number"
      },
      "order": {
       "type": "string",
       "enum": [
        "start-first",
        "stop-first"
       ]
      }
     },
     "additionalProperties": false
    },
    "resources": {
     "type": "object",
     "properties": {
      "limits": {
       "type": "object",
       "properties": {
        "cpus": {
         "type": "string"
        },
        "memory": {
         "type": "string"
        },
        "pids": {
         "type": "integer"
        }
       },
       "additionalProperties": false
      },
      "reservations": {
       "type": "object",
       "properties": {
        "cpus": {
         "type": "string"
        },
        "memory": {
         "type": "string"
        },
        "generic_resources": {
         "$ref": "#/definitions/generic_resources"
        }
       },
       "additionalProperties": false
      }
     },
     "additionalProperties": false
    },
    "restart_policy": {
     "type": "object",
     "properties": {
      "condition": {
       "type": "string"
      },
      "delay": {
       "type": "string",
       "format": "duration"
      },
      "max_attempts": {
       "type": "integer"
      },
      "window": {
       "type": "string",
       "format": "duration"
      }
     },
     "additionalProperties": false
    },
    "placement": {
     "type": "object",
     "properties": {
      "constraints": {
       "type": "array",
       "items": {
        "type": "string"
       }
      },
      "preferences": {
       "type": "array",
       "items": {
        "type": "object",
        "properties": {
         "spread": {
          "type": "string"
         }
        },
        "additionalProperties": false
       }
      },
      "max_replicas_per_node": {
       "type": "integer"
      }
     },
     "additionalProperties": false
    }
   },
   "additionalProperties": false
  },
  "generic_resources": {
   "id": "#/definitions/generic_resources",
   "type": "array",
   "items": {
    "type": "object",
    "properties": {
     "discrete_resource_spec": {
      "type": "object",
      "properties": {
       "kind": {
        "type": "string"
       },
       "value": {
        "type": "number"
       }
      },
      "additionalProperties": false
     }
    },
    "additionalProperties": false
   }
  },
  "network": {
   "id": "#/definitions/network",
   "type": [
    "object",
    "null"
   ],
   "properties": {
    "name": {
     "type": "string"
    },
    "driver": {
     "type": "string"
    },
    "driver_opts": {
     "type": "object",
     "patternProperties": {
      "^.+$": {
       "type": [
        "string",
        "number"
       ]
      }
     }
    },
    "ipam": {
     "type": "object",
     "properties": {
      "driver": {
       "type": "string"
      },
      "config": {
       "type": "array",
       "items": {
        "type": "object",
        "properties": {
         "subnet": {
          "type": "string"
         }
        },
        "additionalProperties": false
       }
      }
     },
     "additionalProperties": false
    },
    "external": {
     "type": [
      "boolean",
      "object"
     ],
     "properties": {
      "name": {
       "type": "string"
      }
     },
     "additionalProperties": false
    },
    "internal": {
     "type": "boolean"
    },
    "attachable": {
     "type": "boolean"
    },
    "labels": {
     "$ref": "#/definitions/list_or_dict"
    }
   },
   "patternProperties": {
    "^x-": {}
   },
   "additionalProperties": false
  },
  "volume": {
   "id": "#/definitions/volume",
   "type": [
    "object",
    "null"
   ],
   "properties": {
    "name": {
     "type": "string"
    },
    "driver": {
     "type": "string"
    },
    "driver_opts": {
     "type": "object",
     "patternProperties": {
      "^.+$": {
       "type": [
        "string",
        "number"
       ]
      }
     }
    },
    "external": {
     "type": [
      "boolean",
      "object"
     ],
     "properties": {
      "name": {
       "type": "string"
      }
     },
     "additionalProperties": false
    },
    "labels": {
     "$ref": "#/definitions/list_or_dict"
    },
    "x-cluster-spec": {
     "type": "object",
     "properties": {
      "group": {
       "type": "string"
      },
      "access_mode": {
       "type": "object",
       "properties": {
        "scope": {
         "type": "string"
        },
        "sharing": {
         "type": "string"
        },
        "block_volume": {
         "type": "object"
        },
        "mount_volume": {
         "type": "object",
         "properties": {
          "fs_type": {
           "type": "string"
          },
          "mount_flags": {
           "type": "array",
           "items": {
            "type": "string"
           }
          }
         }
        }
       }
      },
      "accessibility_requirements": {
       "type": "object",
       "properties": {
        "requisite": {
         "type": "array",
         "items": {
          "type": "object",
          "properties": {
           "segments": {
            "$ref": "#/definitions/list_or_dict"
           }
          }
         }
        },
        "preferred": {
         "type": "array",
         "items": {
          "type": "object",
          "properties": {
           "segments": {
            "$ref": "#/definitions/list_or_dict"
           }
          }
         }
        }
       }
      },
      "capacity_range": {
       "type": "object",
       "properties": {
        "required_bytes": {
         "type": "string"
        },
        "limit_bytes": {
         "type": "string"
        }
       }
      },
      "availability": {
       "type": "string"
      }
     }
    }
   },
   "patternProperties": {
    "^x-": {}
   },
   "additionalProperties": false
  },
  "secret": {
   "id": "#/definitions/secret",
   "type": "object",
   "properties": {
    "name": {
     "type": "string"
    },
    "file": {
     "type": "string"
    },
    "external": {
     "type": [
      "boolean",
      "object"
     ],
     "properties": {
      "name": {
       "type": "string"
      }
     }
    },
    "labels": {
     "$ref": "#/definitions/list_or_dict"
    },
    "driver": {
     "type": "string"
    },
    "driver_opts": {
     "type": "object",
     "patternProperties": {
      "^.+$": {
       "type": [
        "string",
        "number"
       ]
      }
     }
    },
    "template_driver": {
     "type": "string"
    }
   },
   "patternProperties": {
    "^x-": {}
   },
   "additionalProperties": false
  },
  "config": {
   "id": "#/definitions/config",
   "type": "object",
   "properties": {
    "name": {
     "type": "string"
    },
    "file": {
     "type": "string"
    },
    "external": {
     "type": [
      "boolean",
      "object"
     ],
     "properties": {
      "name": {
       "type": "string"
      }
     }
    },
    "labels": {
     "$ref": "#/definitions/list_or_dict"
    },
    "template_driver": {
     "type": "string"
    }
   },
   "patternProperties": {
    "^x-": {}
   },
   "additionalProperties": false
  },
  "string_or_list": {
   "oneOf": [
    {
     "type": "string"
    },
    {
     "$ref": "#/definitions/list_of_strings"
    }
   ]
  },
  "list_of_strings": {
   "type": "array",
   "items": {
    "type": "string"
   },
   "uniqueItems": true
  },
  "list_or_dict": {
   "oneOf": [
    {
     "type": "object",
     "patternProperties": {
      ".+": {
       "type": [
        "string",
        "number",
        "null"
       ]
      }
     },
     "additionalProperties": false
    },
    {
     "type": "array",
     "items": {
      "type": "string"
     },
     "uniqueItems": true
    }
   ]
  },
  "constraints": {
   "service": {
    "id": "#/definitions/constraints/service",
    "anyOf": [
     {
      "required": [
       "build"
      ]
     },
     {
      "required": [
       "image"
      ]
     }
    ],
    "properties": {
     "build": {
      "required": [
       "context"
      ]
     }
    }
   }
  }
 }
}
''')


_TYPES = {
    'object': lambda v: isinstance(v, dict),
    'array': lambda v: isinstance(v, list),
    'string': lambda v: isinstance(v, str),
    'boolean': lambda v: isinstance(v, bool),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
    'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    'null': lambda v: v is None,
}

_DURATION = re.compile(r'^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h))+$|^0$')
_PORT = r'(\d+)(-(\d+))?'
_PORTS = re.compile(r'^((\[?[0-9a-fA-F.:]*\]?):)?(' + _PORT + r')?:?' + _PORT + r'(/(tcp|udp|sctp))?$')


def is_duration(value):
    """Whether VALUE is a Go duration string (time.ParseDuration), as the "duration" format wants."""
    return isinstance(value, str) and bool(_DURATION.match(value))


def _is_ports(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    return isinstance(value, str) and bool(_PORTS.match(value))


_FORMATS = {'duration': is_duration, 'ports': _is_ports, 'expose': _is_ports}


def _resolve(schema):
    ref = schema.get('$ref')
    if ref:
        return SCHEMA['definitions'][ref.rsplit('/', 1)[-1]]
    return schema


def _path(path):
    return '.'.join(str(p) for p in path) or '(root)'


def _type_name(value):
    for name in ('null', 'boolean', 'integer', 'number', 'string', 'array', 'object'):
        if _TYPES[name](value):
            return name
    return type(value).__name__


def _validate(value, schema, path, errors):
    schema = _resolve(schema)
    types = schema.get('type')
    if types is not None:
        wanted = types if isinstance(types, list) else [types]
        if not any(_TYPES[t](value) for t in wanted):
            errors.append('%s must be a %s, not %s' % (_path(path), ' or '.join(wanted), _type_name(value)))
            return
    if 'enum' in schema and value not in schema['enum']:
        errors.append('%s must be one of %s, not %r' % (_path(path), ', '.join(map(str, schema['enum'])), value))
    fmt = schema.get('format')
    if fmt in _FORMATS and isinstance(value, (str, int, float)) and not _FORMATS[fmt](value):
        errors.append('%s is not a valid %s: %r' % (_path(path), fmt, value))
    if 'minimum' in schema and isinstance(value, (int, float)) and value < schema['minimum']:
        errors.append('%s must be at least %s' % (_path(path), schema['minimum']))
    for key in ('oneOf', 'anyOf'):
        if key in schema:
            matches = [alt for alt in schema[key] if not _errors(value, alt, path)]
            if not matches:
                # Report the alternative of the value's own type, whose message names the wrong key.
                same_type = [alt for alt in schema[key] if _type_matches(value, _resolve(alt))]
                if same_type:
                    _validate(value, same_type[0], path, errors)
                else:
                    errors.append('%s has the wrong type (%s)' % (_path(path), _type_name(value)))
            elif key == 'oneOf' and len(matches) > 1 and not _all_same(matches):
                errors.append('%s matches more than one form' % _path(path))
    if isinstance(value, dict):
        _validate_object(value, schema, path, errors)
    elif isinstance(value, list):
        _validate_array(value, schema, path, errors)


def _all_same(alternatives):
    return all(_resolve(a) == _resolve(alternatives[0]) for a in alternatives)


def _type_matches(value, schema):
    types = schema.get('type')
    if types is None:
        return True
    wanted = types if isinstance(types, list) else [types]
    return any(_TYPES[t](value) for t in wanted)


def _errors(value, schema, path):
    found = []
    _validate(value, schema, path, found)
    return found


def _validate_object(value, schema, path, errors):
    properties = schema.get('properties', {})
    patterns = schema.get('patternProperties', {})
    additional = schema.get('additionalProperties', True)
    for name in schema.get('required', []):
        if name not in value:
            errors.append('%s: %s is required' % (_path(path), name))
    for key, item in value.items():
        key = str(key)
        sub = properties.get(key)
        if sub is None:
            sub = next((s for p, s in patterns.items() if re.search(p, key)), None)
        if sub is None:
            if additional is False:
                errors.append('%s: unknown key %s (additional properties are not allowed)' % (_path(path), key))
            elif isinstance(additional, dict):
                _validate(item, additional, path + [key], errors)
            continue
        _validate(item, sub, path + [key], errors)


def _validate_array(value, schema, path, errors):
    items = schema.get('items')
    if isinstance(items, dict):
        for index, item in enumerate(value):
            _validate(item, items, path + [index], errors)
    if schema.get('uniqueItems'):
        seen = []
        for item in value:
            if item in seen:
                errors.append('%s has a duplicate item: %r' % (_path(path), item))
                break
            seen.append(item)


def validate(config):
    """Return the list of schema errors of a compose file (a dict), each naming the path of the bad key."""
    errors = []
    _validate(config, SCHEMA, [], errors)
    return errors
