# Loads a Vagrantfile with a stand-in for Vagrant's configuration API and prints, as JSON, every setting and call it
# made, so that tests/static/test_vagrant.py can check what the Vagrantfile asks of Vagrant where Vagrant is not
# installed. It proves the file runs (constants, file reads, blocks), not that Vagrant accepts each option.
#   ruby vagrantfile_config.rb PATH/Vagrantfile
require "json"

# config, config.vm, a machine of config.vm.define, a provider block: each records what is set and called on it.
class Recorder
  def initialize
    @set = {}
    @calls = []
    @children = {}
  end

  def method_missing(name, *args, **options, &block)
    name = name.to_s
    if name.end_with?("=")
      @set[name.chomp("=")] = args.first
    elsif args.empty? && options.empty? && block.nil?
      @children[name] ||= Recorder.new
    else
      call = { "name" => name, "args" => args, "options" => options }
      if block
        inner = Recorder.new
        block.call(inner)
        call["block"] = inner.to_h
      end
      @calls << call
      nil
    end
  end

  def respond_to_missing?(_name, _include_private = false)
    true
  end

  def to_h
    { "set" => @set, "calls" => @calls, "children" => @children.transform_values(&:to_h) }
  end
end

module Vagrant
  @configs = []

  class << self
    attr_reader :configs

    def require_version(*_requirements); end

    def configure(version)
      config = Recorder.new
      yield config
      @configs << { "version" => version, "config" => config.to_h }
    end
  end
end

load ARGV.fetch(0)
puts JSON.generate(Vagrant.configs)
